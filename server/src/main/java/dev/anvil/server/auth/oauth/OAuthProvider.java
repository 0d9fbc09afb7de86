package dev.anvil.server.auth.oauth;

import java.util.Map;

/**
 * One way of signing in through a third party: where to send the browser, and how to turn the code
 * the provider sends back into an identity. Implementations talk to the provider with timeouts and
 * fail with {@link ProviderException}.
 */
interface OAuthProvider {

    /**
     * The provider's authorization URL.
     *
     * @param state           our signed state, echoed back to the callback
     * @param providerPkce    the S256 challenge for the provider (providers that support PKCE send it on)
     * @param additionalParams extra query parameters from the app; never replace ones already set
     */
    String authorizationUrl(String state, String providerPkce, Map<String, String> additionalParams);

    /**
     * Trades the provider's code for the signed-in account.
     *
     * @param providerVerifier the verifier matching the challenge sent with the authorization URL
     */
    ProviderIdentity identify(String code, String providerVerifier);
}
