package dev.eventmall.common.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.json.schema.JsonSchemaValidationException;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.json.schema.common.dsl.SchemaType;
import io.vertx.openapi.contract.Location;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.RequestUtils;
import io.vertx.openapi.validation.ValidatedRequest;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.openapi.validation.impl.RequestParameterImpl;
import io.vertx.openapi.contract.Style;
import io.vertx.openapi.validation.transformer.FormTransformer;
import io.vertx.openapi.validation.transformer.LabelTransformer;
import io.vertx.openapi.validation.transformer.MatrixTransformer;
import io.vertx.openapi.validation.transformer.ParameterTransformer;
import io.vertx.openapi.validation.transformer.SimpleTransformer;
import io.vertx.openapi.validation.impl.ValidatedRequestImpl;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's routes built from its OpenAPI document ({@code vertx-openapi}'s contract, {@code vertx-web-openapi-router}'s
 * {@link RouterBuilder}): each path and method of the document is a route, and each request is validated by the
 * document before the operation's handler sees it. Refusals are problem+json as everywhere else:
 * <ul>
 *   <li>a body field that breaks its schema: 422 {@code validation-failed} with {@code errors: [{field, message}]}
 *   ({@code field} as {@code lines[0].quantity}), every failing field at once;</li>
 *   <li>a body that is absent (when required), not strict JSON (comments, duplicate keys, a byte order mark) or not an
 *   object: 400; declared as anything but JSON: 415 (an absent Content-Type is read as JSON);</li>
 *   <li>a query or header parameter that breaks its schema: 400 {@code invalid-query} with the same {@code errors}
 *   list; a string parameter is checked as the text sent (never read as JSON first);</li>
 *   <li>a query string that is not percent-encoded UTF-8 ({@code q=%}, {@code q=%zz}, {@code q=%C3%28}): 400
 *   {@code invalid-query} naming the parameter, before any route is matched;</li>
 *   <li>a path parameter that breaks its schema or whose escapes are not UTF-8: 404 (such a path names nothing); a broken
 *   escape never reaches it: {@code HttpBootstrap} refuses it before any route with 400 {@code invalid-path}.</li>
 * </ul>
 * Handlers registered with {@link Op#before} run next (overload shedding, authentication, roles, a cache answering
 * before the validation), then the validation, then the operation's handler, which reads the validated values with
 * {@link #body}, {@link #query}.
 * Cross-field rules (no product twice, a range's bounds in order) stay in code. Operations given no handler are not
 * routed here (a router mounted by hand, e.g. the dead-letter admin, may serve them).
 * <pre>{@code
 * ContractRoutes.load(vertx, "openapi/order.yaml").map(routes -> routes
 *   .operation("placeOrder").before(bearer).handler(this::place)
 *   .operation("getOrder").before(bearer).respond(this::one)
 *   .mount(root));
 * }</pre>
 */
public final class ContractRoutes {

  private final Vertx vertx;
  private final OpenAPIContract contract;
  private static final Map<Style, ParameterTransformer> TRANSFORMERS = Map.of(Style.SIMPLE, new SimpleTransformer(),
    Style.LABEL, new LabelTransformer(), Style.MATRIX, new MatrixTransformer(), Style.FORM, new FormTransformer());
  private final Map<String, Op> ops = new LinkedHashMap<>();

  private ContractRoutes(Vertx vertx, OpenAPIContract contract) {
    this.vertx = vertx;
    this.contract = contract;
  }

  /** Reads and resolves the OpenAPI document at {@code classpathResource} (e.g. {@code "openapi/order.yaml"}). */
  public static Future<ContractRoutes> load(Vertx vertx, String classpathResource) {
    return contract(vertx, classpathResource).map(contract -> new ContractRoutes(vertx, contract));
  }

  /** The media type of every problem answer, which vertx-openapi 5.0 does not know (it reads it as JSON here). */
  public static final String PROBLEM_JSON = "application/problem+json";

  /**
   * The OpenAPI document at {@code classpathResource} as vertx-openapi reads it. vertx-openapi 5.0 refuses a document
   * that names a media type outside its short list (custom types arrive in 5.1), and every error answer here is
   * {@value #PROBLEM_JSON}; so the contract is built from the document with that type read as {@code application/json}
   * (the document served at {@code /openapi.yaml} is unchanged). A response validator must map it the same way.
   */
  public static Future<OpenAPIContract> contract(Vertx vertx, String classpathResource) {
    return io.vertx.openapi.impl.Utils.readYamlOrJson(vertx, classpathResource)
      .compose(json -> OpenAPIContract.from(vertx, problemAsJson(json)));
  }

  private static JsonObject problemAsJson(JsonObject node) {
    for (String key : List.copyOf(node.fieldNames())) {
      Object value = node.getValue(key);
      if ("content".equals(key) && value instanceof JsonObject content && content.containsKey(PROBLEM_JSON)
        && !content.containsKey("application/json")) {
        content.put("application/json", content.remove(PROBLEM_JSON));
      }
      if (value instanceof JsonObject child) {
        problemAsJson(child);
      } else if (value instanceof JsonArray array) {
        array.forEach(item -> {
          if (item instanceof JsonObject child) {
            problemAsJson(child);
          }
        });
      }
    }
    return node;
  }

  /** The loaded document. */
  public OpenAPIContract contract() {
    return contract;
  }

  /** The route of the document's operation {@code operationId}; fails at once when the document has no such operation. */
  public Op operation(String operationId) {
    if (contract.operation(operationId) == null) {
      throw new IllegalArgumentException("the OpenAPI document has no operation " + operationId);
    }
    return ops.computeIfAbsent(operationId, Op::new);
  }

  /**
   * Adds the routes of every operation given a handler to {@code root} (after what is already there) through a router
   * built by {@link RouterBuilder}, with the common failure handler; before them, the check that the query string is
   * percent-encoded UTF-8, which also guards the routes added to {@code root} afterwards (those mounted by hand).
   */
  public Router mount(Router root) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract);
    for (Op op : ops.values()) {
      if (op.handlers.isEmpty()) {
        throw new IllegalStateException("operation " + op.operationId + " has no handler");
      }
      OpenAPIRoute route = builder.getRoute(op.operationId)
        // the document's validation runs where this class puts it (after `before`), on the event loop; security is
        // the services' own bearer handlers
        .setDoValidation(false)
        .setDoSecurity(false);
      op.before.forEach(route::addHandler);
      route.addHandler(validation(contract.operation(op.operationId)));
      op.handlers.forEach(route::addHandler);
    }
    Router router = builder.createRouter();
    // RouterBuilder answers 503 for an operation without handlers: those are left to the routers mounted by hand
    router.getRoutes().stream()
      .filter(r -> r.getMetadata(RouterBuilder.KEY_META_DATA_OPERATION) instanceof Operation o
        && !ops.containsKey(o.getOperationId()))
      .toList()
      .forEach(io.vertx.ext.web.Route::remove);
    router.route().failureHandler(FailureHandler.create());
    // first: Vert.x Web decodes the whole query string while it matches a route with path parameters
    root.route().handler(ContractRoutes::wellFormedQuery);
    root.route("/*").subRouter(router);
    return root;
  }

  /** The validated request of the operation being served. */
  public static ValidatedRequest validated(RoutingContext ctx) {
    return Objects.requireNonNull(ctx.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST), "not a contract route");
  }

  /** The request's JSON object body, validated by the document; null when the operation's optional body was not sent. */
  public static JsonObject body(RoutingContext ctx) {
    RequestParameter body = validated(ctx).getBody();
    return body == null || body.isNull() ? null : body.getJsonObject();
  }

  /** The query parameter {@code name}, validated and typed by the document; null when absent. */
  public static RequestParameter query(RoutingContext ctx, String name) {
    RequestParameter value = validated(ctx).getQuery().get(name);
    return value == null || value.isNull() ? null : value;
  }

  /** What runs for one operation: {@link #before} handlers, the validation, then the handler. */
  public final class Op {
    private final String operationId;
    private final List<Handler<RoutingContext>> before = new ArrayList<>();
    private final List<Handler<RoutingContext>> handlers = new ArrayList<>();

    private Op(String operationId) {
      this.operationId = operationId;
    }

    /** Handlers that run before the request is validated (overload shedding, authentication, roles). */
    @SafeVarargs
    public final Op before(Handler<RoutingContext>... handlers) {
      before.addAll(List.of(handlers));
      return this;
    }

    /** The operation's handler, after validation; returns the routes to bind the next operation. */
    public ContractRoutes handler(Handler<RoutingContext> handler) {
      handlers.add(handler);
      return ContractRoutes.this;
    }

    /**
     * The operation's handler as a function whose result is sent as JSON (like {@code Route.respond}); a
     * {@link Buffer} is sent as it is.
     */
    public <T> ContractRoutes respond(Function<RoutingContext, Future<T>> function) {
      return handler(ctx -> {
        try {
          function.apply(ctx).onSuccess(value -> {
            if (ctx.response().headWritten()) {
              return;
            }
            if (value instanceof Buffer buffer) {
              // already encoded (a cached answer): sent as is
              if (!ctx.response().headers().contains("Content-Type")) {
                ctx.response().putHeader("Content-Type", "application/json");
              }
              ctx.end(buffer);
            } else {
              ctx.json(value);
            }
          }).onFailure(ctx::fail);
        } catch (RuntimeException e) {
          ctx.fail(e);
        }
      });
    }
  }

  // ---------------------------------------------------------------------------------------------- the validation

  /**
   * Refuses a query string that is not percent-encoded UTF-8 (a broken escape such as {@code q=%} or {@code q=%zz},
   * bytes that are not UTF-8 such as {@code %C3%28}) with a 400 naming the parameter; runs before the decoders that
   * would throw (vertx-openapi's: a 500; Vert.x Web's while it matches a route with path parameters: a plain-text
   * 400) or quietly replace what they cannot read (Netty's, with U+FFFD).
   */
  private static void wellFormedQuery(RoutingContext ctx) {
    String malformed = QueryString.firstMalformed(ctx.request().query());
    if (malformed != null) {
      throw invalidParameters(new JsonArray().add(new JsonObject().put("field", malformed)
        .put("message", "is not percent-encoded UTF-8")));
    }
    ctx.next();
  }

  private static ProblemException invalidParameters(JsonArray errors) {
    return new ProblemException(Problem.of(400, "invalid-query", "Invalid query",
      "The query string or headers have invalid parameters").with("errors", errors));
  }

  /**
   * The validation of one operation, on the event loop. Each parameter's schema validator is built once, here:
   * vertx-openapi's own {@code RequestValidator} builds one per parameter per request (about 7x the cost measured on
   * a search) and runs on a worker thread. Parameters are read here too, not by vertx-openapi's {@code RequestUtils},
   * which decodes query values a second time (a {@code %} sent as {@code %25} failed with a 500, {@code %2B} became a
   * space) and reads headers as percent-encoded; and a string parameter is the text as sent, not read as JSON first
   * as vertx-openapi's transformers do ({@code q=-1} was a number, {@code q="x"} lost its quotes, a leading quote or a
   * control character in {@code q} was refused).
   */
  private Handler<RoutingContext> validation(Operation operation) {
    MediaType json = operation.getRequestBody() == null ? null
      : operation.getRequestBody().getContent().get("application/json");
    Validator bodySchema = json == null || json.getSchema() == null ? null
      : contract.getSchemaRepository().validator(json.getSchema());
    Map<Parameter, Validator> schemas = new HashMap<>();
    // the segment of the path each path parameter stands in (1-based), found once here rather than per request
    Map<Parameter, Integer> pathSegments = new HashMap<>();
    for (Parameter p : operation.getParameters()) {
      if (p.getIn() == Location.COOKIE || p.getSchemaType() == SchemaType.ARRAY
        || p.getSchemaType() == SchemaType.OBJECT) {
        throw new IllegalArgumentException("operation " + operation.getOperationId() + ": parameter " + p.getName()
          + " is not read here (only primitive query, header and path parameters are)");
      }
      schemas.put(p, contract.getSchemaRepository().validator(p.getSchema()));
      if (p.getIn() == Location.PATH) {
        pathSegments.put(p, RequestUtils.findPathSegment(operation.getAbsoluteOpenAPIPath(), p.getName()));
      }
    }
    return ctx -> {
      Map<String, RequestParameter> headers = new HashMap<>();
      Map<String, RequestParameter> path = new HashMap<>();
      Map<String, RequestParameter> query = new HashMap<>();
      JsonArray errors = new JsonArray();
      boolean pathFailed = false;
      for (Parameter param : operation.getParameters()) {
        String message = null;
        RequestParameter value = null;
        String raw = raw(ctx, param, pathSegments.get(param));
        if (raw == null) {
          message = param.isRequired() ? "is required" : null;
          value = new RequestParameterImpl(null);
        } else {
          try {
            Object typed = typed(param, raw);
            OutputUnit result = schemas.get(param).validate(typed);
            if (result.getValid()) {
              value = new RequestParameterImpl(typed);
            } else {
              JsonArray reasons = fieldErrors(result);
              message = reasons.isEmpty() ? "is invalid" : reasons.getJsonObject(0).getString("message");
            }
          } catch (ValidatorException | ClassCastException | DecodeException e) {
            message = "is invalid";
          }
        }
        if (message != null) {
          pathFailed |= param.getIn() == Location.PATH;
          errors.add(new JsonObject().put("field", param.getName()).put("message", message));
          continue;
        }
        switch (param.getIn()) {
          case HEADER -> headers.put(param.getName(), value);
          case PATH -> path.put(param.getName(), value);
          case QUERY -> query.put(param.getName(), value);
          default -> { }
        }
      }
      if (pathFailed) {
        throw ProblemException.notFound("Nothing is at " + ctx.request().path());
      }
      if (!errors.isEmpty()) {
        throw invalidParameters(errors);
      }
      JsonObject body = operation.getRequestBody() == null ? null : body(ctx, operation, bodySchema);
      ctx.put(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST, new ValidatedRequestImpl(Map.of(), headers, path, query,
        new RequestParameterImpl(body)));
      ctx.next();
    };
  }

  /**
   * The parameter's value as sent, or null when it is absent: a query value decoded once (by Vert.x, after
   * {@link #wellFormedQuery}), a header as it is, a path segment percent-decoded (a 404 when it is not
   * percent-encoded UTF-8: such a path names nothing); {@code segment} is a path parameter's segment (1-based).
   */
  private static String raw(RoutingContext ctx, Parameter param, Integer segment) {
    return switch (param.getIn()) {
      case QUERY -> ctx.queryParams().get(param.getName());
      case HEADER -> ctx.request().getHeader(param.getName());
      case PATH -> {
        String[] segments = ctx.request().path().substring(1).split("/");
        if (segments.length < segment) {
          yield null;
        }
        String decoded = QueryString.decodeSegment(segments[segment - 1]);
        if (decoded == null) {
          throw ProblemException.notFound("Nothing is at " + ctx.request().path());
        }
        yield decoded;
      }
      default -> null;
    };
  }

  /**
   * The value as its schema's type: a string as sent (in the form and simple styles every parameter here has), any
   * other type through vertx-openapi's transformer of the parameter's style.
   */
  private static Object typed(Parameter param, String raw) {
    if (param.getSchemaType() == SchemaType.STRING && (param.getStyle() == Style.FORM
      || param.getStyle() == Style.SIMPLE)) {
      return raw;
    }
    ParameterTransformer transformer = TRANSFORMERS.get(param.getStyle());
    return transformer == null ? raw : transformer.transform(param, raw);
  }

  /** The body as a JSON object valid against {@code schema}, or null when an optional body was not sent. */
  private static JsonObject body(RoutingContext ctx, Operation operation, Validator schema) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      if (operation.getRequestBody().isRequired()) {
        throw ProblemException.badRequest("A JSON object body is required");
      }
      return null;
    }
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null && !Validation.isJson(contentType)) {
      throw ProblemException.of(415, "unsupported-media-type", "Unsupported Media Type",
        "The request body must be sent as application/json, not " + contentType);
    }
    Object value = Validation.strictJson(buffer);
    JsonObject object;
    if (value instanceof JsonObject o) {
      object = o;
    } else if (value instanceof Map<?, ?> map) {
      @SuppressWarnings("unchecked") Map<String, Object> fields = (Map<String, Object>) map;
      object = new JsonObject(fields);
    } else {
      throw ProblemException.badRequest("The request body must be a JSON object");
    }
    if (schema != null) {
      OutputUnit result = schema.validate(object);
      try {
        result.checkValidity();
      } catch (JsonSchemaValidationException e) {
        throw ProblemException.validation(fieldErrors(result));
      }
    }
    return object;
  }

  private static final Pattern QUOTED = Pattern.compile("\"(.*)\"");
  private static final Pattern LAST_NUMBER = Pattern.compile("(-?[0-9.]+)\\)?$");

  /**
   * The errors of a failed schema validation as {@code [{field, message}]}, one per field (the first, innermost
   * reason), fields named as {@code lines[0].quantity}.
   */
  static JsonArray fieldErrors(OutputUnit result) {
    Map<String, String> byField = new LinkedHashMap<>();
    List<OutputUnit> wrappers = new ArrayList<>();
    List<OutputUnit> unknown = new ArrayList<>();
    for (OutputUnit unit : result.getErrors() == null ? List.<OutputUnit>of() : result.getErrors()) {
      String keyword = keyword(unit.getKeywordLocation());
      String at = unit.getInstanceLocation() == null ? "" : unit.getInstanceLocation();
      String message = unit.getError();
      switch (keyword) {
        case "properties", "items", "prefixItems", "$ref", "allOf", "patternProperties", "dependentSchemas",
          "unevaluatedItems", "if", "then", "else" -> wrappers.add(unit);
        case "required" -> {
          Matcher m = QUOTED.matcher(message);
          byField.putIfAbsent(field(at + "/" + (m.find() ? m.group(1) : "?")), "is required");
        }
        // also reported for a declared property whose value failed: only a field with no other error is unknown
        case "additionalProperties", "unevaluatedProperties" -> unknown.add(unit);
        default -> byField.putIfAbsent(field(at), message(keyword, message));
      }
    }
    Map<String, String> found = new LinkedHashMap<>(byField);
    for (OutputUnit unit : unknown) {
      String field = field(unit.getInstanceLocation());
      if (found.keySet().stream().noneMatch(f -> within(f, field))) {
        byField.putIfAbsent(field, "is not accepted here");
      }
    }
    for (OutputUnit wrapper : wrappers) {
      String field = field(wrapper.getInstanceLocation());
      if (byField.keySet().stream().noneMatch(f -> within(f, field))) {
        byField.put(field, "is invalid");
      }
    }
    JsonArray errors = new JsonArray();
    byField.forEach((field, message) -> errors.add(new JsonObject().put("field", field).put("message", message)));
    return errors;
  }

  /** Whether {@code field} is {@code outer} or inside it. */
  private static boolean within(String field, String outer) {
    return outer.isEmpty() || field.equals(outer) || field.startsWith(outer + ".") || field.startsWith(outer + "[");
  }

  private static String keyword(String keywordLocation) {
    if (keywordLocation == null) {
      return "";
    }
    return keywordLocation.substring(keywordLocation.lastIndexOf('/') + 1);
  }

  /** {@code /lines/0/quantity} → {@code lines[0].quantity}. */
  static String field(String pointer) {
    StringBuilder field = new StringBuilder();
    if (pointer == null || pointer.isEmpty()) {
      return "";
    }
    for (String raw : pointer.substring(1).split("/", -1)) {
      String segment = raw.replace("~1", "/").replace("~0", "~");
      if (!segment.isEmpty() && segment.chars().allMatch(Character::isDigit)) {
        field.append('[').append(segment).append(']');
      } else {
        field.append(field.length() == 0 ? "" : ".").append(segment);
      }
    }
    return field.toString();
  }

  /** Today's wording for the common keywords; the library's for the rest. */
  private static String message(String keyword, String libraryMessage) {
    Matcher number = LAST_NUMBER.matcher(libraryMessage);
    String bound = number.find() ? number.group(1) : "?";
    return switch (keyword) {
      case "type" -> {
        String expected = libraryMessage.substring(libraryMessage.lastIndexOf("Expected ") + "Expected ".length());
        yield "must be " + (expected.matches("^[aeiou].*") ? "an " : "a ") + expected;
      }
      case "enum" -> "must be one of " + libraryMessage.substring(libraryMessage.indexOf('[')).replaceAll("[\\[\\]\"]", "")
        .replace(",", ", ");
      case "minimum", "exclusiveMinimum" -> "must be at least " + bound + ("exclusiveMinimum".equals(keyword) ? " (excluded)" : "");
      case "maximum", "exclusiveMaximum" -> "must be at most " + bound + ("exclusiveMaximum".equals(keyword) ? " (excluded)" : "");
      case "minLength" -> "must be at least " + bound + " characters";
      case "maxLength" -> "must be at most " + bound + " characters";
      case "minItems" -> "must have at least " + bound + " items";
      case "maxItems" -> "must have at most " + bound + " items";
      case "pattern" -> "is malformed";
      case "format" -> {
        Matcher m = QUOTED.matcher(libraryMessage);
        yield "must be a " + (m.find() ? m.group(1).replace("uuid", "UUID") : "valid value");
      }
      default -> libraryMessage;
    };
  }
}
