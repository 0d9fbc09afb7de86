package dev.anvil.server.auth.oauth;

/**
 * A provider refused, failed or answered something unusable. The message is safe to show the user:
 * it ends up in the {@code error} parameter of the redirect back to the app.
 */
final class ProviderException extends RuntimeException {

    ProviderException(String message) {
        super(message, null, false, false);
    }
}
