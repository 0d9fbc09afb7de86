package dev.anvil.operator.admin;

import java.net.URI;

/**
 * Where the operator reaches a project's admin API. In a cluster that is the server's Service;
 * tests and out-of-cluster runs point it elsewhere.
 */
@FunctionalInterface
public interface ProjectEndpoints {

    URI adminUrl(String namespace, String project);

    static ProjectEndpoints inCluster() {
        return (namespace, project) -> URI.create("http://" + project + "-server." + namespace + ".svc:7130");
    }
}
