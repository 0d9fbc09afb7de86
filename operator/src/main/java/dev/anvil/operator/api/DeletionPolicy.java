package dev.anvil.operator.api;

/** What happens to state outside Kubernetes (database, bucket contents) when the resource is deleted. */
public enum DeletionPolicy {
    Retain,
    Delete
}
