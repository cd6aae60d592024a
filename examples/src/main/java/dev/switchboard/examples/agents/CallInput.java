package dev.switchboard.examples.agents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /calls/{agent_id}}, validated: the number to call and the values of the
 * agent's template variables. Immutable. Not API.
 *
 * @param phoneNumber the callee, E.164
 * @param templateContext the values, as given (nested objects for dotted variables)
 */
record CallInput(String phoneNumber, Map<String, Object> templateContext) {
  static final Set<String> FIELDS = Set.of("phoneNumber", "templateContext");

  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");

  /** Copies the context. */
  CallInput {
    templateContext = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(templateContext));
  }

  /**
   * Validates a parsed body (the template context only for its shape; {@link #checkAgainst} checks
   * it against the agent).
   *
   * @throws ApiException naming the first bad field
   */
  @SuppressWarnings("unchecked")
  static CallInput from(ObjectNode body) {
    String phone = JsonBodies.requiredText(body, "phoneNumber");
    if (!E164.matcher(phone).matches()) {
      throw ApiException.invalid(
          "phoneNumber",
          "phoneNumber must be an E.164 number: '+', a country code and up to 15 digits in all,"
              + " no spaces, e.g. +14155550123");
    }
    JsonNode context = body.get("templateContext");
    if (context == null || context.isNull()) {
      return new CallInput(phone, Map.of());
    }
    if (!context.isObject()) {
      throw ApiException.invalid(
          "templateContext",
          "templateContext must be an object of variable values, got "
              + JsonBodies.typeName(context));
    }
    requireNoNulls(context, "templateContext");
    Map<String, Object> values = JsonBodies.JSON.convertValue(context, Map.class);
    return new CallInput(phone, values);
  }

  private static void requireNoNulls(JsonNode node, String path) {
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      String field = path + "." + JsonBodies.abbreviate(e.getKey());
      if (e.getValue().isNull()) {
        throw ApiException.invalid(
            field, field + " must not be null; leave it out or give a value");
      }
      if (e.getValue().isObject()) {
        requireNoNulls(e.getValue(), field);
      }
    }
  }

  /**
   * Checks the context against the variables the agent's prompt uses: every value must be for a
   * variable the prompt uses, and every variable the prompt uses must have a value. A value {@code
   * {"user": {"name": ...}}} is the variable {@code user.name}; a variable {@code {{user}}} takes
   * the whole object.
   *
   * @param variables the variables of the agent's template, e.g. {@code [name, user.phone]}
   * @throws ApiException 400 naming {@code templateContext.<variable>}
   */
  void checkAgainst(Set<String> variables) {
    List<String> leaves = new ArrayList<>();
    leaves(templateContext, "", leaves);
    String uses =
        variables.isEmpty()
            ? "it uses no template variables"
            : "it uses " + render(new TreeSet<>(variables));
    for (String leaf : leaves) {
      if (!covered(leaf, variables)) {
        throw new ApiException(
            400,
            "unknown_template_variable",
            "the agent's prompt does not use {{" + leaf + "}}; " + uses,
            "templateContext." + leaf);
      }
    }
    for (String variable : new TreeSet<>(variables)) {
      boolean given = false;
      for (String leaf : leaves) {
        if (leaf.equals(variable) || leaf.startsWith(variable + ".")) {
          given = true;
          break;
        }
      }
      if (!given) {
        throw new ApiException(
            400,
            "missing_template_variable",
            "the agent's prompt uses {{"
                + variable
                + "}} but templateContext has no value for it; "
                + uses,
            "templateContext." + variable);
      }
    }
  }

  private static boolean covered(String leaf, Set<String> variables) {
    for (String variable : variables) {
      if (leaf.equals(variable) || leaf.startsWith(variable + ".")) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings("unchecked")
  private static void leaves(Map<String, Object> map, String prefix, List<String> into) {
    for (Map.Entry<String, Object> e : map.entrySet()) {
      String path = prefix + e.getKey();
      if (e.getValue() instanceof Map<?, ?> nested && !nested.isEmpty()) {
        leaves((Map<String, Object>) nested, path + ".", into);
      } else {
        into.add(path);
      }
    }
  }

  private static String render(Set<String> variables) {
    StringBuilder out = new StringBuilder();
    for (String v : variables) {
      if (out.length() > 0) {
        out.append(", ");
      }
      out.append("{{").append(v).append("}}");
    }
    return out.toString();
  }
}
