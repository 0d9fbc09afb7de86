package dev.anvil.server.functions;

/**
 * An invocation that produced no response from the function: the runtime could not be reached
 * (502), the code could not be loaded (500), or the function did not answer in time (504). The
 * proxy answers InsForge's bare {@code {error}} with the status.
 */
final class InvocationException extends RuntimeException {

    private final int status;

    private InvocationException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    static InvocationException unavailable(String message, Throwable cause) {
        return new InvocationException(502, message, cause);
    }

    static InvocationException loadFailed(String message) {
        return new InvocationException(500, message, null);
    }

    static InvocationException oversized(long limit) {
        return new InvocationException(502, "Function response is larger than the limit of " + limit + " bytes", null);
    }

    static InvocationException timeout() {
        return new InvocationException(504, "Function timeout", null);
    }

    int status() {
        return status;
    }
}
