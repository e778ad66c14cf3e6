package org.neologism.trainer.cli;

/** A command line invokeai-ti cannot run: the message is the one line the user sees. */
final class BadCommandLineException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    BadCommandLineException(String message) {
        super(message);
    }
}
