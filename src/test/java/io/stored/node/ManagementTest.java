package io.stored.node;

import static io.stored.testing.Requests.http;
import static io.stored.testing.Requests.management;
import static io.stored.testing.Requests.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The default process: endpoint + store, management on its own port. */
@QuarkusTest
class ManagementTest {
  @Inject Vertx vertx;

  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void onLinuxX86_theHttpServerAndThePeersUseNettysEpollTransport() {
    assertThat(NodeLifecycle.transport(vertx)).isEqualTo("epoll");
  }

  @Test
  void healthIsUp_andReadinessNamesTheRoles() {
    management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    // the operator's start-up probe
    management().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    management()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("status", equalTo("UP"))
        .body("checks[0].data.roles", equalTo("[endpoint, store]"));
  }

  @Test
  void ring_showsOneMemberOwningEveryPartition() {
    management()
        .get("/stored/ring")
        .then()
        .statusCode(200)
        .body("epoch", equalTo(1))
        .body("partitions", equalTo(1024))
        .body("members", hasSize(1))
        .body("members[0].state", equalTo("active"))
        .body("members[0].partitions", equalTo(1024))
        .body("owners", hasSize(1024))
        .body("owners[203]", equalTo(List.of("local")));
  }

  @Test
  void locate_answersThePartitionAndOwners() {
    management()
        .get("/stored/locate/default/foo")
        .then()
        .statusCode(200)
        .body("partition", equalTo(203))
        .body("primary", equalTo("local"))
        .body("owners", equalTo(List.of("local")));
    management()
        .get("/stored/locate/default/a%2Fb")
        .then()
        .statusCode(200)
        .body("key", equalTo("a/b"));
    management()
        .get("/stored/locate/default")
        .then()
        .statusCode(400)
        .contentType("application/problem+json");
    management().get("/stored/locate/bad!/x").then().statusCode(400);
  }

  @Test
  void metrics_countRequestsByOperationAndStatus_andTheStore() {
    http().body("v").put("/metrics/k/0").then().statusCode(201);
    http().get("/metrics/k/0").then().statusCode(200);
    http().get("/metrics/missing/0").then().statusCode(404);
    String body = management().get("/q/metrics").then().statusCode(200).extract().asString();
    assertThat(body)
        .contains("stored_requests_seconds_count{op=\"put\",status=\"201\"}")
        .contains("stored_requests_seconds_count{op=\"get\",status=\"404\"}")
        .contains("stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=")
        .contains("stored_entries ")
        .contains("stored_memory_used_bytes ")
        .contains("stored_memory_max_bytes ")
        .contains("stored_evictions_total ")
        .contains("stored_expirations_total ");
  }

  @Test
  void requestLatencies_areResolvedBelowAMillisecond() {
    // a put the node's own store answers takes microseconds once the code is compiled
    for (int i = 0; i < 300; i++) {
      http().body("v").put("/latency/k" + i + "/0").then().statusCode(201);
    }
    assertThat(metric("stored_requests_seconds_bucket{op=\"put\",status=\"201\",le=\"5.0E-4\"}"))
        .as("201 puts counted under 0.5 ms")
        .isPositive();
  }

  @Test
  void openApi_describesTheDataApi_inYamlOrJson() {
    management()
        .get("/q/openapi")
        .then()
        .statusCode(200)
        .contentType(containsString("application/yaml"))
        .body(containsString("openapi: 3.0.3"))
        .body(containsString("/{namespace}/{key}/{id}"))
        .body(containsString("application/problem+json"));
    for (var json :
        List.of(
            management().queryParam("format", "json"),
            management().header("Accept", "application/json"))) {
      json.get("/q/openapi")
          .then()
          .statusCode(200)
          .contentType(containsString("application/json"))
          .body("openapi", equalTo("3.0.3"))
          .body("info.title", equalTo("Stored data API"))
          .body("paths", hasKey("/{namespace}/{key}/{id}"));
    }
  }

  @Test
  void dataApi_isNotOnTheManagementPort_andManagementIsNotOnTheDataPort() {
    http().get("/q/health/ready").then().statusCode(404);
    management().get("/default/foo/0").then().statusCode(404);
  }
}
