package chatcluster.node.auth;

import chatcluster.node.config.Security;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Builds the JWT verifier from the configuration: an HS256 secret, or an RS256/ES256 public key file. */
public final class JwtVerifiers {
  private JwtVerifiers() {}

  public static JWTAuth hs256(Vertx vertx, String secret, Security security) {
    return JWTAuth.create(vertx, options(security)
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** An HS256 signer and verifier without issuer or audience rules (the token command signs with it). */
  public static JWTAuth hs256(Vertx vertx, String secret) {
    return JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  /** Issuer, audience and clock skew as configured; {@code exp} itself is checked by the authenticator. */
  private static JWTAuthOptions options(Security security) {
    JWTOptions jwt = new JWTOptions().setLeeway(security.jwtLeewaySeconds());
    if (security.jwtIssuer() != null) {
      jwt.setIssuer(security.jwtIssuer());
    }
    if (security.jwtAudience() != null) {
      jwt.setAudience(java.util.List.of(security.jwtAudience()));
    }
    return new JWTAuthOptions().setJWTOptions(jwt);
  }

  /** Reads the PEM file off the event loop and picks RS256 or ES256 from the key's type. */
  public static Future<JWTAuth> publicKey(Vertx vertx, Path pemFile, Security security) {
    return vertx.fileSystem().readFile(pemFile.toString()).map(buffer -> {
      String pem = buffer.toString();
      String algorithm = algorithmOf(pem);
      return JWTAuth.create(vertx, options(security)
          .addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(pem)));
    });
  }

  static String algorithmOf(String pem) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("JWT public key is not a PEM public key");
    }
    for (String[] candidate : new String[][] {{"RSA", "RS256"}, {"EC", "ES256"}}) {
      try {
        KeyFactory.getInstance(candidate[0]).generatePublic(new X509EncodedKeySpec(der));
        return candidate[1];
      } catch (Exception ignored) {
        // try the next key type
      }
    }
    throw new IllegalArgumentException("JWT public key is neither an RSA nor an EC public key");
  }
}
