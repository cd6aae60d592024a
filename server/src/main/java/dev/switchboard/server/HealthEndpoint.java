package dev.switchboard.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.webhook.WebhookResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders {@code GET /health}: every registered component's {@link HealthStatus} and the worst of
 * them. Thread-safe (suppliers are called on the caller's thread). Not API.
 */
final class HealthEndpoint {
  private static final Logger log = LoggerFactory.getLogger(HealthEndpoint.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The name of the check that stands for a supplier that failed. */
  static final String SUPPLIER_CHECK = "supplier";

  private final Map<String, Supplier<HealthStatus>> components;

  HealthEndpoint(Map<String, Supplier<HealthStatus>> components) {
    this.components = new LinkedHashMap<>(components);
  }

  /** Asks every component and answers 200, or 503 when the overall state is UNHEALTHY. */
  WebhookResponse respond() {
    HealthStatus.State overall = HealthStatus.State.HEALTHY;
    ObjectNode root = JSON.createObjectNode();
    root.put("status", overall.name());
    ObjectNode rendered = root.putObject("components");
    for (Map.Entry<String, Supplier<HealthStatus>> component : components.entrySet()) {
      HealthStatus status = ask(component.getKey(), component.getValue());
      overall = overall.worst(status.state());
      ObjectNode node = rendered.putObject(component.getKey());
      node.put("status", status.state().name());
      ArrayNode checks = node.putArray("checks");
      for (HealthStatus.Check check : status.checks()) {
        ObjectNode c = checks.addObject();
        c.put("name", check.name());
        c.put("status", check.state().name());
        c.put("detail", check.detail());
      }
    }
    root.put("status", overall.name());
    int code = overall == HealthStatus.State.UNHEALTHY ? 503 : 200;
    return WebhookResponse.json(code, root.toString()).withHeader("Cache-Control", "no-store");
  }

  private static HealthStatus ask(String name, Supplier<HealthStatus> supplier) {
    try {
      HealthStatus status = supplier.get();
      if (status == null) {
        return failed("health supplier returned null");
      }
      return status;
    } catch (RuntimeException e) {
      log.warn("health supplier of component {} failed", name, e);
      String message = e.getMessage();
      return failed(message == null || message.isBlank() ? e.getClass().getSimpleName() : message);
    }
  }

  private static HealthStatus failed(String detail) {
    return HealthStatus.of(List.of(HealthStatus.Check.unhealthy(SUPPLIER_CHECK, detail)));
  }
}
