package dev.anvil.server.auth.oauth;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Who the provider says signed in.
 *
 * @param provider      the name recorded in {@code auth.user_providers} (built-in name or custom key)
 * @param accountId     the provider's stable id of the account ({@code sub}, GitHub's numeric id)
 * @param email         the account's e-mail address, lower-cased
 * @param emailVerified whether the provider vouches that the account owns {@code email}; only then
 *                      may the sign-in attach to an existing user with that address
 * @param name          display name for a new user's profile (may be empty)
 * @param avatarUrl     picture URL for a new user's profile (may be empty)
 * @param profile       what the provider returned, kept in {@code provider_data}
 */
record ProviderIdentity(String provider, String accountId, String email, boolean emailVerified, String name,
                        String avatarUrl, ObjectNode profile) {
}
