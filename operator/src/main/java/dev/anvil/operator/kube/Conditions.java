package dev.anvil.operator.kube;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;

import dev.anvil.operator.api.ResourceStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;

/**
 * Standard conditions (metav1.Condition): a condition's lastTransitionTime changes only when its
 * status changes, so writing the same state twice yields an identical status.
 */
public final class Conditions {

    private final Clock clock;

    public Conditions(Clock clock) {
        this.clock = clock;
    }

    public void set(List<Condition> conditions, String type, boolean status, String reason, String message, Long generation) {
        String statusText = status ? "True" : "False";
        Condition existing = conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
        String transition = existing != null && statusText.equals(existing.getStatus())
                ? existing.getLastTransitionTime()
                : Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).toString();
        Condition updated = new ConditionBuilder()
                .withType(type)
                .withStatus(statusText)
                .withReason(reason)
                .withMessage(message == null ? "" : message)
                .withObservedGeneration(generation)
                .withLastTransitionTime(transition)
                .build();
        if (existing != null) {
            conditions.set(conditions.indexOf(existing), updated);
        } else {
            conditions.add(updated);
        }
    }

    /** Ready; nothing in progress; nothing wrong. */
    public void markReady(ResourceStatus status, String reason, String message, Long generation) {
        mark(status, generation, true, false, false, reason, message);
    }

    /** Not ready yet, on the way there (waiting for pods, for the project…). */
    public void markProgressing(ResourceStatus status, String reason, String message, Long generation) {
        mark(status, generation, false, true, false, reason, message);
    }

    /** Not ready and stuck until something changes (an error the status message explains). */
    public void markDegraded(ResourceStatus status, String reason, String message, Long generation) {
        mark(status, generation, false, false, true, reason, message);
    }

    private void mark(ResourceStatus status, Long generation, boolean ready, boolean progressing, boolean degraded,
                      String reason, String message) {
        set(status.conditions, ResourceStatus.READY, ready, reason, message, generation);
        set(status.conditions, ResourceStatus.PROGRESSING, progressing, progressing ? reason : "Idle", progressing ? message : "", generation);
        set(status.conditions, ResourceStatus.DEGRADED, degraded, degraded ? reason : "AsExpected", degraded ? message : "", generation);
        status.observedGeneration = generation;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return conditions != null && conditions.stream()
                .anyMatch(c -> type.equals(c.getType()) && Objects.equals("True", c.getStatus()));
    }
}
