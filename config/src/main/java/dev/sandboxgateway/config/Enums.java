package dev.sandboxgateway.config;

import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

final class Enums {

    private Enums() {
    }

    static <E extends Enum<E>> E byWireName(Class<E> type, String name, Function<E, String> wireName) {
        for (E value : type.getEnumConstants()) {
            if (wireName.apply(value).equalsIgnoreCase(name)) {
                return value;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not one of "
                + Arrays.stream(type.getEnumConstants()).map(wireName).collect(Collectors.joining(", ")));
    }
}
