package dev.anvil.operator.admin;

/** A project's admin API answered with an error (or could not be reached); the message is what the resource's status shows. */
public final class AdminApiException extends Exception {

    private final int status;

    public AdminApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    public AdminApiException(String message, Throwable cause) {
        super(message, cause);
        this.status = 0;
    }

    /** HTTP status, or 0 when the API could not be reached. */
    public int status() {
        return status;
    }
}
