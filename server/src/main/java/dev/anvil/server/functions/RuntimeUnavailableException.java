package dev.anvil.server.functions;

/** The runtime host cannot be reached (not installed, not started in time, or crashed). */
final class RuntimeUnavailableException extends RuntimeException {
    RuntimeUnavailableException(String message) {
        super(message);
    }

    RuntimeUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
