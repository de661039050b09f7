package io.stored.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The bearer tokens that may use the data API and what each may do, per namespace. Parsed from the
 * tokens file, one token per line:
 *
 * <pre>
 * # token                 grants (namespace=role, comma separated; * is every namespace)
 * 3f1c...9a               default=write,*=read
 * ops-token               *=admin
 * </pre>
 *
 * Roles are ordered: {@code admin} includes {@code write}, which includes {@code read}. Only
 * SHA-256 digests of the tokens are kept, and a presented token is compared with every digest in
 * constant time (no early exit, no lookup by token), so timing says nothing about the tokens.
 * Tokens are never logged.
 */
public final class Tokens {
  /** What a request needs. */
  public enum Role {
    READ,
    WRITE,
    ADMIN
  }

  /** The answer for a request. */
  public enum Decision {
    ALLOWED,
    /** No token, or not a known one: 401. */
    UNAUTHENTICATED,
    /** A known token without the role on the namespace: 403. */
    FORBIDDEN
  }

  private record Grant(byte[] digest, Map<String, Role> roles) {}

  private final List<Grant> grants;

  private Tokens(List<Grant> grants) {
    this.grants = grants;
  }

  /** The number of tokens. */
  public int size() {
    return grants.size();
  }

  /**
   * Parses a tokens file's text.
   *
   * @throws IllegalArgumentException naming the line (never the token) when a line is malformed
   */
  public static Tokens parse(String text) {
    List<Grant> out = new ArrayList<>();
    String[] lines = text.split("\r?\n");
    for (int n = 0; n < lines.length; n++) {
      String line = lines[n].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      String[] parts = line.split("\\s+");
      if (parts.length != 2) {
        throw new IllegalArgumentException(
            "tokens file line " + (n + 1) + ": expected '<token> <namespace>=<role>,...'");
      }
      if (parts[0].length() < 16) {
        throw new IllegalArgumentException(
            "tokens file line " + (n + 1) + ": a token must have at least 16 characters");
      }
      Map<String, Role> roles = new LinkedHashMap<>();
      for (String grant : parts[1].split(",")) {
        int eq = grant.indexOf('=');
        if (eq <= 0 || eq == grant.length() - 1) {
          throw new IllegalArgumentException(
              "tokens file line " + (n + 1) + ": '" + grant + "' is not namespace=role");
        }
        String role = grant.substring(eq + 1).toUpperCase();
        if (!List.of("READ", "WRITE", "ADMIN").contains(role)) {
          throw new IllegalArgumentException(
              "tokens file line "
                  + (n + 1)
                  + ": role '"
                  + grant.substring(eq + 1)
                  + "' is not read, write or admin");
        }
        roles.put(grant.substring(0, eq), Role.valueOf(role));
      }
      out.add(new Grant(digest(parts[0]), Map.copyOf(roles)));
    }
    return new Tokens(List.copyOf(out));
  }

  /**
   * Whether {@code token} (null: none presented) may act as {@code needed} on {@code namespace}.
   */
  public Decision check(String token, String namespace, Role needed) {
    if (token == null) {
      return Decision.UNAUTHENTICATED;
    }
    byte[] presented = digest(token);
    Grant match = null;
    for (Grant g : grants) {
      // every digest is compared, whatever matched before: constant time over the file
      if (MessageDigest.isEqual(g.digest(), presented) && match == null) {
        match = g;
      }
    }
    if (match == null) {
      return Decision.UNAUTHENTICATED;
    }
    Role has = match.roles().get(namespace);
    Role any = match.roles().get("*");
    Role best = has == null ? any : any == null || has.compareTo(any) >= 0 ? has : any;
    return best != null && best.compareTo(needed) >= 0 ? Decision.ALLOWED : Decision.FORBIDDEN;
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
