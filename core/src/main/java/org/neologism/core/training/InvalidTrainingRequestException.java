package org.neologism.core.training;

import java.util.List;

/**
 * A training request that cannot run: every problem found, each a sentence that names its flag and the
 * fix. The message is the problems, one per line, so a front end that prints it prints each once.
 */
public class InvalidTrainingRequestException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidTrainingRequestException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid request has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    public InvalidTrainingRequestException(String problem) {
        this(List.of(problem));
    }

    /** Every problem, in the order of the options. */
    public List<String> problems() {
        return problems;
    }
}
