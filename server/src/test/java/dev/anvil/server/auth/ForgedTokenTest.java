package dev.anvil.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.anvil.server.testing.HttpCall;
import dev.anvil.server.testing.TestServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The forged-token suite of targets.md: tokens with alg none, a wrong key, RS/HS confusion, a
 * tampered payload or header, expired, not yet valid, without {@code sub}, and a few more shapes —
 * each sent to routes behind every guard. Zero may be accepted; each must be 401 {@code AUTH_UNAUTHORIZED},
 * the answer that makes the SDK try a refresh instead of trusting the token.
 */
class ForgedTokenTest {

    static final String JWT_SECRET = "forged-token-suite-secret-0123456789abcdefgh";
    static TestServer server;
    static String userId;
    static String genuine;

    @BeforeAll
    static void start() {
        Map<String, String> settings = new LinkedHashMap<>(AuthCalls.NO_LIMITS);
        settings.put("JWT_SECRET", JWT_SECRET);
        server = TestServer.start("forged_tokens", settings);
        var session = AuthCalls.mobileUser(server, "forged");
        userId = session.get("user").get("id").asText();
        genuine = session.get("accessToken").asText();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** The routes probed: one per guard, plus an admin route for tokens claiming project_admin. */
    static final Map<String, Function<String, HttpCall>> ROUTES = Map.of(
            "GET /api/auth/sessions/current (verifyToken)", t -> server.get("/api/auth/sessions/current").bearer(t),
            "PATCH /api/auth/profiles/current (verifyToken)", t -> server.call("PATCH", "/api/auth/profiles/current").bearer(t)
                    .json(Map.of("profile", Map.of("hacked", true))),
            "POST /api/auth/users (verifyUser)", t -> server.post("/api/auth/users").bearer(t)
                    .json(Map.of("email", AuthCalls.email("forged-signup"), "password", AuthCalls.PASSWORD)),
            "GET /api/auth/users (verifyAdmin)", t -> server.get("/api/auth/users").bearer(t),
            "GET /api/metadata/api-key (verifyAdmin)", t -> server.get("/api/metadata/api-key").bearer(t));

    @Test
    void noForgedTokenIsAccepted() throws Exception {
        Map<String, String> forged = forgeries();
        List<String> accepted = new ArrayList<>();
        int tried = 0;
        for (Map.Entry<String, String> token : forged.entrySet()) {
            for (Map.Entry<String, Function<String, HttpCall>> route : ROUTES.entrySet()) {
                HttpCall.Reply reply = route.getValue().apply(token.getValue()).send();
                tried++;
                boolean refusedRightly = reply.status() == 401 && "AUTH_UNAUTHORIZED".equals(reply.json().path("error").asText());
                if (!refusedRightly) {
                    accepted.add(token.getKey() + " on " + route.getKey() + " -> " + reply);
                }
            }
        }
        System.out.printf("forged-token suite: %d forgeries x %d routes = %d requests, %d not refused with 401 AUTH_UNAUTHORIZED%n",
                forged.size(), ROUTES.size(), tried, accepted.size());
        assertThat(accepted).isEmpty();
        assertThat(Sql.one(server, "SELECT profile::text FROM auth.users WHERE id = ?::uuid", userId)).doesNotContain("hacked");
    }

    @Test
    void theGenuineTokenAndItsHs256TwinPassSoTheSuiteCanFail() throws Exception {
        assertThat(ROUTES.get("GET /api/auth/sessions/current (verifyToken)").apply(genuine).send().status()).isEqualTo(200);
        String hs256 = sign(JWSAlgorithm.HS256, null, claims().build(), new MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        assertThat(ROUTES.get("GET /api/auth/sessions/current (verifyToken)").apply(hs256).send().status()).isEqualTo(200);
        String admin = sign(JWSAlgorithm.RS256, serverKey().getKeyID(), new JWTClaimsSet.Builder().subject("local:admin")
                .claim("role", "project_admin").expirationTime(Date.from(Instant.now().plusSeconds(300))).build(), new RSASSASigner(serverKey()));
        assertThat(ROUTES.get("GET /api/auth/users (verifyAdmin)").apply(admin).send().status()).isEqualTo(200);
    }

    @Test
    void aTokenWithoutSubjectSaysSo() throws Exception {
        String noSub = sign(JWSAlgorithm.RS256, serverKey().getKeyID(), new JWTClaimsSet.Builder().claim("role", "authenticated")
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build(), new RSASSASigner(serverKey()));
        HttpCall.Reply reply = server.get("/api/auth/sessions/current").bearer(noSub).send();
        assertThat(reply.json().get("message").asText()).isEqualTo("Invalid token subject");
    }

    private static Map<String, String> forgeries() throws Exception {
        RSAKey key = serverKey();
        RSASSASigner realSigner = new RSASSASigner(key);
        Map<String, String> forged = new LinkedHashMap<>();
        JWTClaimsSet valid = claims().build();

        forged.put("alg none", unsigned("none", valid));
        forged.put("alg None", unsigned("None", valid));
        forged.put("alg none with the real signature kept", unsigned("none", valid) + genuine.split("\\.")[2]);

        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        var otherPair = generator.generateKeyPair();
        forged.put("RS256 signed by another key, real kid", sign(JWSAlgorithm.RS256, key.getKeyID(), valid,
                new RSASSASigner((RSAPrivateKey) otherPair.getPrivate())));
        forged.put("HS256 with another secret", sign(JWSAlgorithm.HS256, null, valid,
                new MACSigner("some-other-secret-some-other-secret-1234".getBytes(StandardCharsets.UTF_8))));
        forged.put("RS256 with the real key but a foreign kid", sign(JWSAlgorithm.RS256, "kid_foreign", valid, realSigner));
        forged.put("RS256 with the real key and no kid", sign(JWSAlgorithm.RS256, null, valid, realSigner));

        byte[] publicDer = key.toRSAPublicKey().getEncoded();
        String publicPem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(publicDer)
                + "\n-----END PUBLIC KEY-----\n";
        forged.put("RS/HS confusion: HS256 keyed with the public key PEM", sign(JWSAlgorithm.HS256, key.getKeyID(), valid,
                new MACSigner(publicPem.getBytes(StandardCharsets.UTF_8))));
        forged.put("RS/HS confusion: HS256 keyed with the public key DER", sign(JWSAlgorithm.HS256, key.getKeyID(), valid,
                new MACSigner(publicDer)));
        forged.put("RS/HS confusion: HS256 keyed with the public JWK", sign(JWSAlgorithm.HS256, key.getKeyID(), valid,
                new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8))));

        String[] parts = genuine.split("\\.");
        JWTClaimsSet escalated = new JWTClaimsSet.Builder(SignedJWT.parse(genuine).getJWTClaimsSet()).claim("role", "project_admin").build();
        forged.put("tampered payload: role raised to project_admin", parts[0] + "." + Base64URL.encode(escalated.toString()) + "." + parts[2]);
        JWTClaimsSet otherUser = new JWTClaimsSet.Builder(SignedJWT.parse(genuine).getJWTClaimsSet())
                .subject(UUID.randomUUID().toString()).build();
        forged.put("tampered payload: another subject", parts[0] + "." + Base64URL.encode(otherUser.toString()) + "." + parts[2]);
        forged.put("tampered header: RS256 relabelled HS256", Base64URL.encode("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2]);
        forged.put("signature stripped", parts[0] + "." + parts[1] + ".");
        forged.put("signature truncated", parts[0] + "." + parts[1] + "." + parts[2].substring(0, parts[2].length() - 4));

        forged.put("expired (beyond the clock skew)", sign(JWSAlgorithm.RS256, key.getKeyID(),
                claims().issueTime(Date.from(Instant.now().minusSeconds(1000))).expirationTime(Date.from(Instant.now().minusSeconds(60))).build(),
                realSigner));
        forged.put("not yet valid (nbf)", sign(JWSAlgorithm.RS256, key.getKeyID(), claims().notBeforeTime(Date.from(Instant.now().plusSeconds(300))).build(),
                realSigner));
        forged.put("issued in the future (iat)", sign(JWSAlgorithm.RS256, key.getKeyID(), claims().issueTime(Date.from(Instant.now().plusSeconds(300))).build(),
                realSigner));
        forged.put("no exp", sign(JWSAlgorithm.RS256, key.getKeyID(), new JWTClaimsSet.Builder().subject(userId).claim("role", "authenticated").build(),
                realSigner));
        forged.put("missing sub", sign(JWSAlgorithm.RS256, key.getKeyID(), new JWTClaimsSet.Builder().claim("role", "authenticated")
                .expirationTime(Date.from(Instant.now().plusSeconds(300))).build(), realSigner));
        forged.put("role outside anon/authenticated/project_admin", sign(JWSAlgorithm.RS256, key.getKeyID(), claims().claim("role", "postgres").build(),
                realSigner));
        forged.put("refresh token presented as access token", sign(JWSAlgorithm.HS256, null, claims().claim("type", "refresh").build(),
                new MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8))));
        forged.put("RS512 (not on the allow-list) with the real key", sign(JWSAlgorithm.RS512, key.getKeyID(), valid, realSigner));
        forged.put("HS512 with the real secret", sign(JWSAlgorithm.HS512, null, valid,
                new MACSigner((JWT_SECRET + JWT_SECRET).getBytes(StandardCharsets.UTF_8))));
        forged.put("five-part (JWE-shaped) token", "a.b.c.d.e");
        forged.put("not base64", "%%%.%%%.%%%");
        return forged;
    }

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().subject(userId).claim("email", "forged@example.com").claim("role", "authenticated")
                .issueTime(new Date()).expirationTime(Date.from(Instant.now().plusSeconds(600)));
    }

    private static RSAKey serverKey() {
        return server.anvil().credentials().accessTokens().keys().rsa();
    }

    private static String sign(JWSAlgorithm alg, String kid, JWTClaimsSet claims, com.nimbusds.jose.JWSSigner signer) throws Exception {
        JWSHeader.Builder header = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT);
        if (kid != null) {
            header.keyID(kid);
        }
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    private static String unsigned(String alg, JWTClaimsSet claims) {
        return Base64URL.encode("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + Base64URL.encode(claims.toString()) + ".";
    }
}
