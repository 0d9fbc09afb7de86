package dev.anvil.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.ResourceRequirements;

/**
 * What a Project asks for. Defaults live in {@code @Default} (the CRD generator ignores Java
 * initialisers), so the API server fills them in and every reader sees the same values; the
 * getters below only cover objects written before a default existed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "self.replicas <= 1 || (has(self.storage) && self.storage.type == 's3')",
        message = "more than one server replica needs s3 storage: a local volume is ReadWriteOnce")
public class ProjectSpec {

    @JsonPropertyDescription("Where the project's data lives. The mode cannot change once set.")
    public Database database;

    @JsonPropertyDescription("Sign-up, e-mail verification, redirect allow-list, SMTP and OAuth providers; applied through the project's admin API.")
    public Auth auth;

    @JsonPropertyDescription("Where uploaded files are stored.")
    public Storage storage;

    @JsonPropertyDescription("Records engine: 'postgrest' runs a PostgREST Deployment the server proxies to; 'embedded' serves records from the server itself.")
    @Default("postgrest")
    public RecordsEngine records;

    @JsonPropertyDescription("Anvil server replicas.")
    @Default("1")
    @Min(0)
    @Max(50)
    public Integer replicas;

    @JsonPropertyDescription("Container resources per component.")
    public Resources resources;

    @JsonPropertyDescription("Container images per component; unset ones use the operator's defaults.")
    public Images images;

    @JsonPropertyDescription("Expose the API through an Ingress on this host.")
    public Ingress ingress;

    @JsonPropertyDescription("On deletion, Retain keeps the database, its login role and the keys Secret; Delete drops them.")
    @Default("Retain")
    public DeletionPolicy deletionPolicy;

    public DatabaseMode databaseMode() {
        return database == null || database.mode == null ? DatabaseMode.managed : database.mode;
    }

    public StorageType storageType() {
        return storage == null || storage.type == null ? StorageType.local : storage.type;
    }

    public RecordsEngine recordsEngine() {
        return records == null ? RecordsEngine.postgrest : records;
    }

    public int replicaCount() {
        return replicas == null ? 1 : replicas;
    }

    public DeletionPolicy deletionPolicyOrDefault() {
        return deletionPolicy == null ? DeletionPolicy.Retain : deletionPolicy;
    }

    public enum DatabaseMode { managed, external }

    public enum StorageType { local, s3 }

    public enum RecordsEngine { postgrest, embedded }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.mode != 'external' || has(self.secretRef)",
            message = "an external database needs secretRef")
    public static class Database {
        @JsonPropertyDescription("managed: a database and login role in the operator's Postgres server; external: a database you provide.")
        @Default("managed")
        @ValidationRule(value = "self == oldSelf", message = "database.mode is immutable")
        public DatabaseMode mode;

        @JsonPropertyDescription("external only: Secret key holding a postgres:// URL (used by the server and by PostgREST).")
        public SecretKeyRef secretRef;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Auth {
        @JsonPropertyDescription("Allow new users to sign up.")
        @Default("true")
        public Boolean signup;

        @JsonPropertyDescription("Require e-mail verification before sign-in.")
        @Default("false")
        public Boolean emailVerification;

        @JsonPropertyDescription("Allowed redirect URLs (globs) for e-mail links and OAuth.")
        public List<String> allowedRedirectUrls = new ArrayList<>();

        public Smtp smtp;

        @JsonPropertyDescription("OAuth providers, one entry per provider.")
        public List<OAuthProvider> oauth = new ArrayList<>();
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Smtp {
        @Required
        @Pattern("^[A-Za-z0-9.-]+$")
        public String host;

        @Default("587")
        @Min(1)
        @Max(65535)
        public Integer port;

        public String username;

        @JsonPropertyDescription("Secret key holding the SMTP password.")
        public SecretKeyRef passwordSecretRef;

        @Required
        @Pattern("^[^@\\s]+@[^@\\s]+$")
        public String senderEmail;

        public String senderName;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class OAuthProvider {
        @Required
        public OAuthProviderName provider;

        @Required
        public String clientId;

        @Required
        @JsonPropertyDescription("Secret key holding the client secret.")
        public SecretKeyRef clientSecretRef;

        public List<String> scopes;
    }

    public enum OAuthProviderName { google, github, discord, linkedin, facebook, apple, x, microsoft }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @ValidationRule(value = "self.type != 's3' || has(self.s3)", message = "storage type s3 needs the s3 block")
    public static class Storage {
        @Default("local")
        public StorageType type;

        @JsonPropertyDescription("local only: size of the PersistentVolumeClaim.")
        @Default("1Gi")
        @Pattern("^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
        public String size;

        @JsonPropertyDescription("local only: storage class of the claim (cluster default when unset).")
        public String storageClassName;

        public S3 s3;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class S3 {
        @Required
        @Pattern("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
        public String bucket;

        @Default("us-east-1")
        public String region;

        @JsonPropertyDescription("S3-compatible endpoint (MinIO, R2…); AWS when unset.")
        @Pattern("^https?://.+")
        public String endpoint;

        @Required
        @JsonPropertyDescription("Secret with keys AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.")
        public String credentialsSecret;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Resources {
        public ResourceRequirements server;
        public ResourceRequirements postgrest;
        public ResourceRequirements deno;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Images {
        public String server;
        public String postgrest;
        public String deno;
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public static class Ingress {
        @Required
        @Pattern("^([a-z0-9]([-a-z0-9]*[a-z0-9])?\\.)+[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
        public String host;

        @JsonProperty("className")
        public String className;

        @JsonPropertyDescription("TLS Secret for the host; the URL is https when set.")
        public String tlsSecretName;
    }
}
