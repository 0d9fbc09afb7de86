package dev.anvil.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BucketSpec {

    @Required
    @JsonPropertyDescription("Name of the Project (same namespace) the bucket belongs to.")
    @Pattern(NamePatterns.DNS_LABEL)
    @ValidationRule(value = "self == oldSelf", message = "project is immutable")
    public String project;

    @JsonPropertyDescription("Bucket name in the project; defaults to metadata.name.")
    @Pattern("^[a-zA-Z0-9_-]+$")
    @ValidationRule(value = "self == oldSelf", message = "bucketName is immutable")
    public String bucketName;

    @JsonPropertyDescription("Public buckets can be downloaded from without credentials.")
    @Default("false")
    public Boolean isPublic;

    @JsonPropertyDescription("On deletion, Retain keeps the bucket and its objects in the project; Delete removes them.")
    @Default("Retain")
    public DeletionPolicy deletionPolicy;

    public boolean publicOrDefault() {
        return Boolean.TRUE.equals(isPublic);
    }

    public DeletionPolicy deletionPolicyOrDefault() {
        return deletionPolicy == null ? DeletionPolicy.Retain : deletionPolicy;
    }
}
