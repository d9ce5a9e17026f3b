package dev.sandboxgateway.routing.registry;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;

/** Reads a registry file ({@code .json}, otherwise YAML) into records keyed by id. */
final class RegistryFileReader {

    /** The file's shape: {@code sandboxes: [ {id: ..., backendHost: ...}, ... ]}. */
    record RegistryFile(List<SandboxRecord> sandboxes) {
    }

    /** SnakeYAML stops at 3 MB by default, about 75,000 sandboxes; registries are larger than that. */
    private static final int MAX_YAML_CODE_POINTS = 512 * 1024 * 1024;

    private static final ObjectMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
                    .loaderOptions(largeDocuments())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private RegistryFileReader() {
    }

    private static LoaderOptions largeDocuments() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_YAML_CODE_POINTS);
        return options;
    }

    static Map<String, SandboxRecord> read(Path file) throws RegistryFileException {
        byte[] content;
        try {
            content = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new RegistryFileException(file + ": cannot be read: " + e, e);
        }
        if (content.length == 0) {
            // An empty file is far more often an editor half-way through saving than a wish to drop every route.
            throw new RegistryFileException(file + ": the file is empty; write 'sandboxes: []' for an empty registry", null);
        }
        ObjectMapper mapper = file.getFileName().toString().endsWith(".json") ? JSON : YAML;
        RegistryFile parsed;
        try {
            parsed = mapper.readValue(content, RegistryFile.class);
        } catch (JsonProcessingException e) {
            throw new RegistryFileException(describe(file, e), e);
        } catch (IOException e) {
            throw new RegistryFileException(file + ": " + e.getMessage(), e);
        }
        if (parsed == null || parsed.sandboxes() == null) {
            throw new RegistryFileException(file + ": the top-level key 'sandboxes' is missing", null);
        }
        Map<String, SandboxRecord> byId = new LinkedHashMap<>();
        for (int i = 0; i < parsed.sandboxes().size(); i++) {
            SandboxRecord record = parsed.sandboxes().get(i);
            if (record == null) {
                throw new RegistryFileException(file + ": sandboxes[" + i + "] is empty", null);
            }
            if (byId.putIfAbsent(record.id(), record) != null) {
                throw new RegistryFileException(file + ": sandboxes[" + i + "]: id '" + record.id()
                        + "' appears more than once", null);
            }
        }
        return byId;
    }

    private static String describe(Path file, JsonProcessingException e) {
        StringBuilder message = new StringBuilder().append(file);
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            message.append(", line ").append(location.getLineNr()).append(", column ").append(location.getColumnNr());
        }
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            message.append(", at ").append(path(mapping.getPath()));
        }
        Throwable cause = e.getCause();
        String problem = cause instanceof IllegalArgumentException ? cause.getMessage() : e.getOriginalMessage();
        return message.append(": ").append(problem).toString();
    }

    private static String path(List<JsonMappingException.Reference> references) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : references) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.toString();
    }
}
