package dev.anvil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import dev.anvil.server.http.Principal;
import dev.anvil.server.secrets.KeyBootstrap;
import org.junit.jupiter.api.Test;

/**
 * The server builds its services while the instance's keys load (AnvilServer): token and key
 * checks made over keys that are not there yet must wait for them, and must never pass if loading
 * them failed.
 */
class PendingKeysTest {

    private static final Duration TTL = Duration.ofMinutes(5);

    @Test
    void tokensAreIssuedAndVerifiedOnlyOnceTheKeysAreThere() throws Exception {
        CompletableFuture<SigningKeys> pending = new CompletableFuture<>();
        AccessTokens tokens = new AccessTokens(pending, TTL, Clock.systemUTC(), AccessTokens.CLOCK_SKEW);

        CompletableFuture<String> issued = CompletableFuture.supplyAsync(
                () -> tokens.issue("user-1", "user@example.com", Principal.AUTHENTICATED));
        Thread.sleep(100);
        assertThat(issued).as("issuing waits for the keys").isNotDone();

        pending.complete(signingKeys());
        String token = issued.get(10, TimeUnit.SECONDS);
        assertThat(tokens.verify(token)).isInstanceOfSatisfying(Principal.Token.class,
                principal -> assertThat(principal.subject()).isEqualTo("user-1"));
    }

    @Test
    void keysThatFailedToLoadRefuseEveryToken() throws Exception {
        SigningKeys keys = signingKeys();
        String genuine = new AccessTokens(keys, TTL, Clock.systemUTC()).issue("user-1", null, Principal.AUTHENTICATED);
        CompletableFuture<SigningKeys> failed = new CompletableFuture<>();
        AccessTokens tokens = new AccessTokens(failed, TTL, Clock.systemUTC(), AccessTokens.CLOCK_SKEW);
        failed.completeExceptionally(new IllegalStateException("the stored key pair cannot be read"));

        assertThatThrownBy(() -> tokens.verify(genuine)).isInstanceOf(CompletionException.class);
        assertThatThrownBy(() -> tokens.issue("user-1", null, Principal.AUTHENTICATED)).isInstanceOf(CompletionException.class);
    }

    @Test
    void apiAndAnonKeysThatFailedToLoadAcceptNothing() throws Exception {
        CompletableFuture<ProjectKeys> failed = CompletableFuture.failedFuture(new IllegalStateException("no keys"));
        Credentials credentials = new Credentials(failed, new AccessTokens(signingKeys(), TTL, Clock.systemUTC()));

        assertThatThrownBy(() -> credentials.resolveUncached(Optional.empty(), Optional.of("ik_" + "0".repeat(64))))
                .isInstanceOf(CompletionException.class);
        assertThatThrownBy(() -> credentials.resolveUncached(Optional.of("anon_" + "0".repeat(64)), Optional.empty()))
                .isInstanceOf(CompletionException.class);
        assertThat(credentials.resolveUncached(Optional.empty(), Optional.empty())).as("no credential, nothing to check").isEmpty();
    }

    private static SigningKeys signingKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair pair = generator.generateKeyPair();
        return SigningKeys.from(Map.of(
                KeyBootstrap.JWT_KEY_ID, "test-kid",
                KeyBootstrap.JWT_PRIVATE_KEY, pem("PRIVATE KEY", pair.getPrivate().getEncoded()),
                KeyBootstrap.JWT_PUBLIC_KEY, pem("PUBLIC KEY", pair.getPublic().getEncoded()),
                KeyBootstrap.JWT_SECRET, "0123456789abcdef0123456789abcdef"));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder().encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
