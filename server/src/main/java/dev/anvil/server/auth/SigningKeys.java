package dev.anvil.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Map;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import dev.anvil.server.secrets.KeyBootstrap;

/**
 * The keys tokens are signed with: the RSA pair for RS256 access tokens (published as JWKS under its
 * {@code kid}) and {@code JWT_SECRET} for HS256 (refresh tokens, internal tokens, and access tokens
 * an InsForge server issued before keys existed).
 */
public final class SigningKeys {

    private final RSAKey rsa;
    private final byte[] hmacSecret;

    SigningKeys(RSAKey rsa, byte[] hmacSecret) {
        this.rsa = rsa;
        this.hmacSecret = hmacSecret;
    }

    /** From the instance keys the bootstrap ensured ({@link KeyBootstrap.Result#instanceKeys()}). */
    public static SigningKeys from(Map<String, String> stored) {
        String kid = required(stored, KeyBootstrap.JWT_KEY_ID);
        String privatePem = required(stored, KeyBootstrap.JWT_PRIVATE_KEY);
        String publicPem = required(stored, KeyBootstrap.JWT_PUBLIC_KEY);
        String secret = required(stored, KeyBootstrap.JWT_SECRET);
        try {
            KeyFactory factory = KeyFactory.getInstance("RSA");
            RSAPublicKey publicKey = (RSAPublicKey) factory.generatePublic(new X509EncodedKeySpec(der(publicPem)));
            RSAPrivateKey privateKey = (RSAPrivateKey) factory.generatePrivate(new PKCS8EncodedKeySpec(der(privatePem)));
            RSAKey rsa = new RSAKey.Builder(publicKey)
                    .privateKey(privateKey)
                    .keyID(kid)
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .build();
            return new SigningKeys(rsa, secret.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException("The stored JWT signing key pair cannot be read: " + e.getMessage(), e);
        }
    }

    public RSAKey rsa() {
        return rsa;
    }

    public String keyId() {
        return rsa.getKeyID();
    }

    byte[] hmacSecret() {
        return hmacSecret.clone();
    }

    /** The public half as a JWK Set: {@code {keys:[{kty,n,e,alg:"RS256",use:"sig",kid}]}}. */
    public JWKSet publicJwks() {
        return new JWKSet(rsa.toPublicJWK());
    }

    private static byte[] der(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(base64);
    }

    private static String required(Map<String, String> stored, String key) {
        String value = stored.get(key);
        if (value == null) {
            throw new IllegalStateException("Secret " + key + " is missing; the key bootstrap should have created it");
        }
        return value;
    }
}
