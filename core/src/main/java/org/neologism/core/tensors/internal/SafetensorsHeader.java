package org.neologism.core.tensors.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.neologism.core.tensors.DType;
import org.neologism.core.tensors.MalformedTensorFileException;
import org.neologism.core.tensors.SafetensorsEntry;

/**
 * The validated header of a safetensors file: an 8-byte little-endian length N, then N bytes of JSON
 * mapping tensor names to {dtype, shape, data_offsets}, plus an optional {@code __metadata__} string map.
 *
 * @param entries   tensors in the order their data appears in the file (ties keep header order)
 * @param metadata  the {@code __metadata__} map (empty if absent)
 * @param dataStart absolute file offset of the data buffer ({@code 8 + N})
 * @param dataSize  bytes from {@code dataStart} to the end of the file
 */
public record SafetensorsHeader(Map<String, SafetensorsEntry> entries, Map<String, String> metadata,
        long dataStart, long dataSize) {

    /** The reference implementation refuses larger headers; so do we, before allocating them. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    public static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = new ObjectMapper();

    public static SafetensorsHeader read(Path file, FileChannel channel) throws IOException {
        long fileSize = channel.size();
        if (fileSize < 8) {
            throw new MalformedTensorFileException(file, "is " + fileSize
                    + " bytes long, too short for a safetensors file (it starts with an 8-byte header length)");
        }
        ByteBuffer lengthBytes = readAt(channel, 0, 8);
        long headerLength = lengthBytes.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        if (headerLength < 2 || headerLength > fileSize - 8) {
            throw new MalformedTensorFileException(file, "declares a header of " + headerLength
                    + " bytes but the file has only " + (fileSize - 8)
                    + " bytes after the length; the file is truncated or not a safetensors file");
        }
        if (headerLength > MAX_HEADER_BYTES) {
            throw new MalformedTensorFileException(file, "declares a header of " + headerLength
                    + " bytes, more than the safetensors limit of " + MAX_HEADER_BYTES);
        }
        ByteBuffer json = readAt(channel, 8, (int) headerLength);
        long dataStart = 8 + headerLength;
        long dataSize = fileSize - dataStart;
        Parsed parsed = parse(file, json.array());
        checkNoOverlap(file, parsed.entries, dataSize);
        return new SafetensorsHeader(Collections.unmodifiableMap(inDataOrder(parsed.entries)),
                Collections.unmodifiableMap(parsed.metadata), dataStart, dataSize);
    }

    private record Parsed(LinkedHashMap<String, SafetensorsEntry> entries, LinkedHashMap<String, String> metadata) {
    }

    private static Parsed parse(Path file, byte[] json) throws MalformedTensorFileException {
        LinkedHashMap<String, SafetensorsEntry> entries = new LinkedHashMap<>();
        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        boolean sawMetadata = false;
        try (JsonParser parser = JSON.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new MalformedTensorFileException(file, "header is not a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                parser.nextToken();
                JsonNode value = JSON.readTree(parser);
                if (METADATA_KEY.equals(name)) {
                    if (sawMetadata) {
                        throw new MalformedTensorFileException(file, "header has two " + METADATA_KEY + " entries");
                    }
                    sawMetadata = true;
                    readMetadata(file, value, metadata);
                } else {
                    if (entries.containsKey(name)) {
                        throw new MalformedTensorFileException(file, "header names tensor '" + name + "' twice");
                    }
                    entries.put(name, readEntry(file, name, value));
                }
            }
            if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new MalformedTensorFileException(file, "header has trailing content after the JSON object");
            }
        } catch (JsonProcessingException e) {
            throw new MalformedTensorFileException(file, "header is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            if (e instanceof MalformedTensorFileException m) {
                throw m;
            }
            throw new MalformedTensorFileException(file, "header cannot be parsed: " + e.getMessage(), e);
        }
        return new Parsed(entries, metadata);
    }

    private static void readMetadata(Path file, JsonNode value, Map<String, String> metadata)
            throws MalformedTensorFileException {
        if (value == null || !value.isObject()) {
            throw new MalformedTensorFileException(file, METADATA_KEY + " is not a JSON object of strings");
        }
        Iterator<Map.Entry<String, JsonNode>> fields = value.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            if (!field.getValue().isTextual()) {
                throw new MalformedTensorFileException(file, METADATA_KEY + " value for '" + field.getKey()
                        + "' is not a string");
            }
            metadata.put(field.getKey(), field.getValue().textValue());
        }
    }

    private static SafetensorsEntry readEntry(Path file, String name, JsonNode value)
            throws MalformedTensorFileException {
        String where = "tensor '" + name + "'";
        if (value == null || !value.isObject()) {
            throw new MalformedTensorFileException(file, where + " is not described by a JSON object");
        }
        JsonNode dtypeNode = value.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new MalformedTensorFileException(file, where + " has no dtype string");
        }
        DType dtype = DType.forSafetensorsName(dtypeNode.textValue()).orElseThrow(() ->
                new MalformedTensorFileException(file, where + " has unknown dtype '" + dtypeNode.textValue()
                        + "' (supported: " + List.of(DType.values()) + ")"));
        long[] shape = longArray(file, where + " shape", value.get("shape"), -1);
        for (long dim : shape) {
            if (dim < 0) {
                throw new MalformedTensorFileException(file, where + " has negative dimension " + dim + " in its shape");
            }
        }
        long[] offsets = longArray(file, where + " data_offsets", value.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin < 0 || end < begin) {
            throw new MalformedTensorFileException(file, where + " has invalid data_offsets [" + begin + ", " + end + "]");
        }
        long expected;
        try {
            expected = dtype.byteSize();
            for (long dim : shape) {
                expected = Math.multiplyExact(expected, dim);
            }
        } catch (ArithmeticException overflow) {
            throw new MalformedTensorFileException(file, where + " has a shape whose byte size overflows 64 bits");
        }
        if (end - begin != expected) {
            throw new MalformedTensorFileException(file, where + " occupies " + (end - begin) + " bytes but "
                    + dtype + " x " + java.util.Arrays.toString(shape) + " needs " + expected);
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end);
    }

    private static long[] longArray(Path file, String what, JsonNode node, int requiredLength)
            throws MalformedTensorFileException {
        if (node == null || !node.isArray() || (requiredLength >= 0 && node.size() != requiredLength)) {
            throw new MalformedTensorFileException(file, what + " is not an array"
                    + (requiredLength >= 0 ? " of " + requiredLength + " integers" : " of integers"));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong()) {
                throw new MalformedTensorFileException(file, what + " contains " + element + ", not a 64-bit integer");
            }
            values[i] = element.longValue();
        }
        return values;
    }

    private static void checkNoOverlap(Path file, Map<String, SafetensorsEntry> entries, long dataSize)
            throws MalformedTensorFileException {
        List<SafetensorsEntry> byBegin = new ArrayList<>(entries.values());
        byBegin.sort(Comparator.comparingLong(SafetensorsEntry::dataBegin).thenComparingLong(SafetensorsEntry::dataEnd));
        SafetensorsEntry previous = null;
        for (SafetensorsEntry entry : byBegin) {
            if (entry.dataEnd() > dataSize) {
                throw new MalformedTensorFileException(file, "tensor '" + entry.name() + "' has data_offsets ["
                        + entry.dataBegin() + ", " + entry.dataEnd() + "] beyond the " + dataSize
                        + "-byte data buffer; the file is truncated or its header is wrong");
            }
            if (previous != null && entry.dataBegin() < previous.dataEnd() && entry.byteSize() > 0) {
                throw new MalformedTensorFileException(file, "tensors '" + previous.name() + "' and '" + entry.name()
                        + "' overlap in the data buffer");
            }
            if (entry.byteSize() > 0) {
                previous = entry;
            }
        }
    }

    /** Writers put the header in data order; when one does not, the data order is the file's order. */
    private static Map<String, SafetensorsEntry> inDataOrder(Map<String, SafetensorsEntry> entries) {
        List<SafetensorsEntry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(SafetensorsEntry::dataBegin)); // stable: ties keep header order
        Map<String, SafetensorsEntry> ordered = new LinkedHashMap<>();
        for (SafetensorsEntry entry : sorted) {
            ordered.put(entry.name(), entry);
        }
        return ordered;
    }

    private static ByteBuffer readAt(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                throw new java.io.EOFException("file ended at byte " + (position + buffer.position()));
            }
        }
        buffer.flip();
        return buffer;
    }
}
