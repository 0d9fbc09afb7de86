package dev.anvil.server.auth;

/** A token that must not be accepted, with the reason that decides the error message. */
public final class InvalidTokenException extends RuntimeException {

    /** Why the token was refused. */
    public enum Reason { INVALID, EXPIRED, NO_SUBJECT }

    private final Reason reason;

    public InvalidTokenException(Reason reason) {
        super(reason.name(), null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
