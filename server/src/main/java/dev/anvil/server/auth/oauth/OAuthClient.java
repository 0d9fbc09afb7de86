package dev.anvil.server.auth.oauth;

import java.util.List;

/** The app's registration at a provider: client id, client secret (decrypted) and the scopes to ask for. */
record OAuthClient(String clientId, String clientSecret, List<String> scopes) {
}
