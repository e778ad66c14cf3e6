package org.neologism.trainer.model.config;

/** A model folder, config file or weight file this implementation cannot run; the message says which and why. */
public class UnsupportedModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(String message) {
        super(message);
    }

    public UnsupportedModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
