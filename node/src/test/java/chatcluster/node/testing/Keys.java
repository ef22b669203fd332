package chatcluster.node.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/** Key pairs and signed JWTs made in the test, never shipped. */
public final class Keys {
  private Keys() {}

  public static KeyPair rsa() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static KeyPair ec() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** Writes the public key as a PEM file and returns its path. */
  public static Path publicKeyFile(KeyPair pair, Path dir) throws IOException {
    Path file = dir.resolve("jwt-public.pem");
    Files.writeString(file, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    return file;
  }

  public static String sign(Vertx vertx, String algorithm, KeyPair pair, JsonObject claims) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions()
        .setAlgorithm(algorithm).setBuffer(pem("PRIVATE KEY", pair.getPrivate().getEncoded()))));
    return signer.generateToken(claims, expiring(new JWTOptions().setAlgorithm(algorithm), claims, true));
  }

  /** An HS256 token that expires in an hour (unless the claims set exp themselves). */
  public static String signHs256(Vertx vertx, String secret, JsonObject claims) {
    return signHs256(vertx, secret, claims, true);
  }

  /** With {@code expires} false: a token without exp, which nodes refuse unless configured otherwise. */
  public static String signHs256(Vertx vertx, String secret, JsonObject claims, boolean expires) {
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
    return signer.generateToken(claims, expiring(new JWTOptions().setAlgorithm("HS256"), claims, expires));
  }

  private static JWTOptions expiring(JWTOptions options, JsonObject claims, boolean expires) {
    return expires && !claims.containsKey("exp") ? options.setExpiresInSeconds(3600) : options;
  }
}
