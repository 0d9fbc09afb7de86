package dev.anvil.operator.api;

/** Patterns shared by the resources' schemas. */
final class NamePatterns {

    /** A Kubernetes object name usable as a DNS label (Project names become Service names). */
    static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";

    private NamePatterns() {
    }
}
