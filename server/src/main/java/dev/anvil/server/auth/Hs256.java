package dev.anvil.server.auth;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.ParseException;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * HMAC-SHA256 JWT signing and checking with {@code JWT_SECRET}. Done here rather than with Nimbus'
 * MACSigner because InsForge deployments often have a JWT_SECRET shorter than the 256 bits Nimbus
 * insists on, and those tokens must still verify.
 */
final class Hs256 {

    private final byte[] secret;

    Hs256(byte[] secret) {
        this.secret = secret;
    }

    String sign(JWTClaimsSet claims) {
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build();
        Base64URL headerPart = header.toBase64URL();
        Base64URL payloadPart = Base64URL.encode(claims.toString());
        byte[] signature = mac((headerPart + "." + payloadPart).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try {
            return new SignedJWT(headerPart, payloadPart, Base64URL.encode(signature)).serialize();
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    boolean verify(SignedJWT jwt) {
        byte[] expected = mac(jwt.getSigningInput());
        return MessageDigest.isEqual(expected, jwt.getSignature().decode());
    }

    private byte[] mac(byte[] input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
