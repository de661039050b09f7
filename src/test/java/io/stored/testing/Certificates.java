package io.stored.testing;

import io.smallrye.certs.CertificateGenerator;
import io.smallrye.certs.CertificateRequest;
import io.smallrye.certs.Format;
import io.smallrye.certs.PemCertificateFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Self-signed certificates for tests, as PEM files (what a Kubernetes TLS Secret mounts). */
public final class Certificates {
  private Certificates() {}

  /** A new self-signed certificate and key for {@code localhost}, written under {@code dir}. */
  public static PemCertificateFiles generate(Path dir, String name) {
    try {
      Files.createDirectories(dir);
      return (PemCertificateFiles)
          new CertificateGenerator(dir, true)
              .generate(
                  new CertificateRequest()
                      .withName(name)
                      .withCN("localhost")
                      .withSubjectAlternativeName("DNS:localhost")
                      .withFormat(Format.PEM)
                      .withDuration(Duration.ofDays(2)))
              .get(0);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
