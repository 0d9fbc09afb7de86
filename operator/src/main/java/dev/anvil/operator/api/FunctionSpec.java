package dev.anvil.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "has(self.code) != has(self.codeFrom)", message = "set exactly one of code and codeFrom")
public class FunctionSpec {

    @Required
    @JsonPropertyDescription("Name of the Project (same namespace) the function belongs to.")
    @Pattern(NamePatterns.DNS_LABEL)
    @ValidationRule(value = "self == oldSelf", message = "project is immutable")
    public String project;

    @Required
    @JsonPropertyDescription("URL slug: the function is invoked at /functions/<slug>.")
    @Pattern("^[a-zA-Z0-9_-]+$")
    @ValidationRule(value = "self != 'health'", message = "slug 'health' is reserved")
    @ValidationRule(value = "self == oldSelf", message = "slug is immutable")
    public String slug;

    @JsonPropertyDescription("Display name; defaults to the slug.")
    public String name;

    public String description;

    @JsonPropertyDescription("The function's code inline (module.exports = async function (request) { … }).")
    public String code;

    @JsonPropertyDescription("The function's code from a ConfigMap key.")
    public ConfigMapKeyRef codeFrom;

    @Default("active")
    public FunctionState status;

    public FunctionState statusOrDefault() {
        return status == null ? FunctionState.active : status;
    }

    public enum FunctionState { draft, active }

    public static class ConfigMapKeyRef {
        @Required
        public String configMap;
        @Required
        public String key;

        public ConfigMapKeyRef() {
        }

        public ConfigMapKeyRef(String configMap, String key) {
            this.configMap = configMap;
            this.key = key;
        }
    }
}
