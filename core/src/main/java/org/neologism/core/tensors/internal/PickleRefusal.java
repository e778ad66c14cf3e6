package org.neologism.core.tensors.internal;

/**
 * Why a pickle cannot be read. Thrown inside the unpickler and turned into a
 * {@link org.neologism.core.tensors.MalformedTensorFileException} naming the file and the byte position.
 */
public final class PickleRefusal extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PickleRefusal(String problem) {
        super(problem, null, false, false);
    }
}
