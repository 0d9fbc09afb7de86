package dev.anvil.server.auth;

import dev.anvil.server.http.ApiException;

/** Errors several auth routes answer with the same code and words. */
final class AuthErrors {

    private AuthErrors() {
    }

    static ApiException userNotFound() {
        return ApiException.notFound("AUTH_USER_NOT_FOUND", "User not found");
    }
}
