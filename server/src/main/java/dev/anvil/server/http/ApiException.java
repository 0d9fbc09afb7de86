package dev.anvil.server.http;

/**
 * A failure with a meaning for the client. Rendered as InsForge's error body
 * {@code {error, message, statusCode, nextActions?}} by {@link ErrorHandling}; anything else that
 * escapes a handler is a real server fault (500).
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String code;
    private final String nextActions;

    public ApiException(int status, String code, String message) {
        this(status, code, message, null);
    }

    public ApiException(int status, String code, String message, String nextActions) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.nextActions = nextActions;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Optional hint for the caller (InsForge's {@code nextActions}); null when there is none. */
    public String nextActions() {
        return nextActions;
    }

    public static ApiException invalidInput(String message) {
        return new ApiException(400, "INVALID_INPUT", message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, code, message);
    }

    public static ApiException forbidden(String message) {
        return new ApiException(403, "FORBIDDEN", message);
    }
}
