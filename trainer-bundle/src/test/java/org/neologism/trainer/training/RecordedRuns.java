package org.neologism.trainer.training;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.neologism.core.tensors.SafetensorsFile;
import org.neologism.testsupport.Json;

/**
 * How train.safetensors and index.json record a run's placeholder rows: one block per text encoder, the
 * second encoder's (SDXL) under the same names with the suffix {@code _2}. The product trains the blocks
 * joined as one vector ({@link VectorRows}); these read the references in that layout.
 */
final class RecordedRuns {

    private RecordedRuns() {}

    /** The suffix of encoder {@code e}'s names: none for the first, {@code _2} for the second. */
    static String suffix(int encoder) {
        return encoder == 0 ? "" : "_" + (encoder + 1);
    }

    /** The row layout of {@code run}: one block per encoder it recorded rows for. */
    static VectorRows rows(SafetensorsFile golden, String run) throws IOException {
        String key = run + ".init_placeholder_rows";
        int first = Math.toIntExact(golden.entry(key).shape()[1]);
        return golden.contains(key + "_2")
                ? new VectorRows(new int[] {first, Math.toIntExact(golden.entry(key + "_2").shape()[1])})
                : new VectorRows(new int[] {first});
    }

    /** {@code key} (and {@code key_2} for a second encoder) as joined rows. */
    static float[] read(SafetensorsFile golden, VectorRows rows, String key) throws IOException {
        List<float[]> blocks = new ArrayList<>();
        for (int e = 0; e < rows.widths().length; e++) {
            blocks.add(golden.readFloats(key + suffix(e)));
        }
        return rows.join(blocks);
    }

    /** Each encoder's placeholder token ids, from index.json's {@code placeholder_token_ids(_2)}. */
    static List<long[]> placeholderIds(JsonNode run, int encoders) {
        List<long[]> ids = new ArrayList<>();
        for (int e = 0; e < encoders; e++) {
            ids.add(Json.longs(run.path("placeholder_token_ids" + suffix(e))));
        }
        return ids;
    }

    /** The vectors a run starts from: each encoder's initializer row, once per placeholder token, joined. */
    static float[] initialVectors(FrozenNetworks networks, NDManager scope, JsonNode run, VectorRows rows) {
        List<float[]> blocks = new ArrayList<>();
        List<long[]> ids = placeholderIds(run, networks.text().encoders().size());
        for (int e = 0; e < ids.size(); e++) {
            float[] initializer = networks.text().encoders().get(e)
                    .tokenEmbeddingRow(scope, run.path("initializer_token_id" + suffix(e)).asLong()).toFloatArray();
            float[] block = new float[ids.get(e).length * initializer.length];
            for (int i = 0; i < ids.get(e).length; i++) {
                System.arraycopy(initializer, 0, block, i * initializer.length, initializer.length);
            }
            blocks.add(block);
        }
        return rows.join(blocks);
    }
}
