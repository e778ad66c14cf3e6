package org.neologism.concepts.document;

/** The file formats embeddings are stored in, told apart by their first bytes. */
public enum Container {
    /** 8-byte header length, JSON header, data buffer. */
    SAFETENSORS("safetensors"),
    /** {@code torch.save} since PyTorch 1.6: a zip holding {@code data.pkl} and {@code data/<key>}. */
    TORCH_ZIP("PyTorch zip"),
    /** {@code torch.save(..., _use_new_zipfile_serialization=False)}: pickles followed by raw storages. */
    TORCH_LEGACY("PyTorch legacy pickle");

    private final String label;

    Container(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean isTorch() {
        return this != SAFETENSORS;
    }
}
