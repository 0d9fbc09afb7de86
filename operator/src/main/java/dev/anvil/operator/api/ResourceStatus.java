package dev.anvil.operator.api;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.kubernetes.api.model.Condition;

/**
 * What every Anvil resource reports: the generation last acted on and the standard conditions
 * {@code Ready}, {@code Progressing} and {@code Degraded}, each with its own observedGeneration.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourceStatus {

    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String DEGRADED = "Degraded";

    public Long observedGeneration;
    public List<Condition> conditions = new ArrayList<>();
}
