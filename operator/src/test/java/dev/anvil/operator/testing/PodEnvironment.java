package dev.anvil.operator.testing;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * The environment a Deployment's container would get from the kubelet: plain values with
 * {@code $(VAR)} expansion, and secretKeyRef values read from the cluster's Secrets.
 */
public final class PodEnvironment {

    private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    private PodEnvironment() {
    }

    public static Map<String, String> of(KubernetesClient client, String namespace, String deploymentName) {
        Deployment deployment = client.apps().deployments().inNamespace(namespace).withName(deploymentName).get();
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar variable : deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
            if (variable.getValueFrom() != null) {
                var ref = variable.getValueFrom().getSecretKeyRef();
                Secret secret = client.secrets().inNamespace(namespace).withName(ref.getName()).get();
                String encoded = secret.getData().get(ref.getKey());
                env.put(variable.getName(), new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
            } else {
                env.put(variable.getName(), expand(variable.getValue(), env));
            }
        }
        return env;
    }

    private static String expand(String value, Map<String, String> defined) {
        Matcher matcher = REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String replacement = defined.getOrDefault(matcher.group(1), matcher.group());
            matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(out);
        return out.toString();
    }
}
