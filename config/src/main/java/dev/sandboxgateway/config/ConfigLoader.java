package dev.sandboxgateway.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Builds a {@link GatewayConfig} from the defaults, an optional YAML/JSON file, and
 * {@code GATEWAY_*} environment variables, in that order of increasing precedence. Unknown keys
 * and bad values are errors that name the key.
 */
public final class ConfigLoader {

    private static final List<ConfigKeys.Key> KEYS = ConfigKeys.of(GatewayConfig.class);

    private final ObjectMapper yaml = configure(YAMLMapper.builder().build());
    private final ObjectMapper json = configure(JsonMapper.builder().build());

    private static ObjectMapper configure(ObjectMapper mapper) {
        SimpleModule durations = new SimpleModule("durations");
        durations.addDeserializer(Duration.class, new JsonDeserializer<>() {
            @Override
            public Duration deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                try {
                    return DurationFormat.parse(parser.getValueAsString(""));
                } catch (IllegalArgumentException e) {
                    throw JsonMappingException.from(parser, e.getMessage(), e);
                }
            }
        });
        durations.addSerializer(Duration.class, new JsonSerializer<>() {
            @Override
            public void serialize(Duration value, JsonGenerator generator, SerializerProvider provider)
                    throws IOException {
                generator.writeString(DurationFormat.format(value));
            }
        });
        return mapper.registerModule(durations)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
    }

    /** The names of every environment variable that overrides a key, with the key, for documentation and --help. */
    public static Map<String, String> environmentVariables() {
        return KEYS.stream().collect(Collectors.toMap(ConfigKeys.Key::environmentVariable, ConfigKeys.Key::dotted,
                (a, b) -> a, java.util.LinkedHashMap::new));
    }

    /**
     * @param file        the config file, or {@code null} for defaults only
     * @param environment the process environment (only {@code GATEWAY_*} names are read)
     */
    public GatewayConfig load(@Nullable Path file, Map<String, String> environment) throws ConfigException {
        ObjectNode tree = yaml.valueToTree(GatewayConfig.defaults());
        if (file != null) {
            merge(tree, readFile(file));
        }
        List<String> problems = new ArrayList<>();
        applyEnvironment(tree, environment, problems);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        GatewayConfig config;
        try {
            config = yaml.treeToValue(tree, GatewayConfig.class);
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(describe(e, file)));
        }
        List<String> invalid = ConfigValidator.validate(config);
        if (!invalid.isEmpty()) {
            throw new ConfigException(invalid);
        }
        return config;
    }

    /** The configuration as YAML, with every key and its effective value; tokens and URI passwords redacted. */
    public String toYaml(GatewayConfig config) {
        try {
            JsonNode tree = yaml.valueToTree(config);
            SecretRedaction.redact(tree);
            return yaml.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode readFile(Path file) throws ConfigException {
        ObjectMapper mapper = file.getFileName().toString().endsWith(".json") ? json : yaml;
        JsonNode node;
        try {
            node = mapper.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new ConfigException(List.of("config file " + file + " does not exist"));
        } catch (JsonProcessingException e) {
            throw new ConfigException(List.of(describe(e, file)));
        } catch (IOException e) {
            throw new ConfigException(List.of("config file " + file + " cannot be read: " + e.getMessage()));
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException(List.of("config file " + file + " must hold a mapping of keys at the top level"));
        }
        return node;
    }

    /** File values replace defaults key by key; a key the defaults do not have is reported when binding. */
    private static void merge(ObjectNode target, JsonNode overrides) {
        for (Map.Entry<String, JsonNode> field : overrides.properties()) {
            JsonNode existing = target.get(field.getKey());
            if (existing instanceof ObjectNode existingObject && field.getValue().isObject()) {
                merge(existingObject, field.getValue());
            } else {
                target.set(field.getKey(), field.getValue());
            }
        }
    }

    private static void applyEnvironment(ObjectNode tree, Map<String, String> environment, List<String> problems) {
        for (ConfigKeys.Key key : KEYS) {
            String value = environment.get(key.environmentVariable());
            if (value == null) {
                continue;
            }
            ObjectNode parent = tree;
            for (String segment : key.path().subList(0, key.path().size() - 1)) {
                JsonNode child = parent.get(segment);
                if (!(child instanceof ObjectNode)) {
                    problems.add(key.environmentVariable() + " overrides " + key.dotted()
                            + ", but the config file set '" + segment + "' to something other than a mapping");
                    child = parent.putObject(segment);
                }
                parent = (ObjectNode) child;
            }
            String leaf = key.path().get(key.path().size() - 1);
            if (List.class.isAssignableFrom(key.type())) {
                ArrayNode items = parent.putArray(leaf);
                for (String item : value.split(",")) {
                    if (!item.isBlank()) {
                        items.add(item.trim());
                    }
                }
            } else {
                parent.set(leaf, TextNode.valueOf(value));
            }
        }
    }

    private static String describe(JsonProcessingException e, @Nullable Path file) {
        StringBuilder message = new StringBuilder();
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String key = mapping.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
            if (e instanceof UnrecognizedPropertyException unknown) {
                message.append("unknown key '").append(key).append("'");
                if (unknown.getKnownPropertyIds() != null) {
                    message.append(" (known keys there: ").append(unknown.getKnownPropertyIds().stream()
                            .map(Object::toString).sorted().collect(Collectors.joining(", "))).append(')');
                }
                return message.toString();
            }
            message.append(key).append(": ");
            Throwable cause = e.getCause();
            if (cause instanceof IllegalArgumentException) {
                return message.append(cause.getMessage()).toString();
            }
            return message.append(e.getOriginalMessage()).toString();
        }
        message.append(file == null ? "configuration" : file.toString());
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message.append(", line ").append(location.getLineNr());
        }
        return message.append(": ").append(e.getOriginalMessage()).toString();
    }
}
