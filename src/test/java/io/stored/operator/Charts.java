package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a real Helm on the chart: the binary {@code .ci/run} installs under {@code .tools/helm/helm}
 * (or {@code $HELM}) when present, else Helm embedded by helm-java (which leaves CRDs out).
 */
final class Charts {
  static final Path CHART = Path.of("helm/stored");
  static final String KUBE_VERSION = "1.33.0";

  private Charts() {}

  static Path binary() {
    String env = System.getenv("HELM");
    if (env != null && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    Path tools = Path.of(".tools/helm/helm");
    return Files.isExecutable(tools) ? tools : null;
  }

  static void lint(Map<String, String> values) throws Exception {
    lint(values, null);
  }

  /** Lints with the values and, when not null, a values file. */
  static void lint(Map<String, String> values, Path valuesFile) throws Exception {
    Path helm = binary();
    if (helm != null) {
      List<String> cmd =
          new ArrayList<>(List.of(helm.toString(), "lint", "--strict", CHART.toString()));
      if (valuesFile != null) {
        cmd.addAll(List.of("--values", valuesFile.toString()));
      }
      values.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
      run(cmd);
      return;
    }
    // helm-java lints with the chart's default values only
    LintResult r = new Helm(CHART).lint().strict().call();
    assertThat(r.isFailed()).as("helm lint --strict: %s", r.getMessages()).isFalse();
  }

  static String template(Map<String, String> values, boolean includeCrds) throws Exception {
    return template(values, includeCrds, null);
  }

  /** Renders with the values and, when not null, a values file. */
  static String template(Map<String, String> values, boolean includeCrds, Path valuesFile)
      throws Exception {
    Path helm = binary();
    String yaml;
    if (helm != null) {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  helm.toString(), "template", "demo", CHART.toString(), "--namespace", "stored"));
      if (valuesFile != null) {
        cmd.addAll(List.of("--values", valuesFile.toString()));
      }
      values.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
      if (includeCrds) {
        cmd.add("--include-crds");
      }
      yaml = run(cmd);
    } else {
      var t =
          new Helm(CHART)
              .template()
              .withName("demo")
              .withNamespace("stored")
              .withKubeVersion(KUBE_VERSION);
      if (valuesFile != null) {
        t.withValuesFile(valuesFile);
      }
      for (Map.Entry<String, String> e : new LinkedHashMap<>(values).entrySet()) {
        t.set(e.getKey(), e.getValue());
      }
      yaml = t.call();
    }
    return yaml;
  }

  static String run(List<String> cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    if (p.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out);
    }
    return out;
  }
}
