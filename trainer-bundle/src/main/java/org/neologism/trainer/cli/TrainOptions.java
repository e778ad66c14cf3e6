package org.neologism.trainer.cli;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.trainer.shell.TrainCommands;

/**
 * Every option of invokeai-ti, read from {@code ti:train}'s signature: its names, its {@code @Descriptor}
 * and its default ({@code absentValue}, built from {@code TrainingRequest.DEFAULT_*}). The command line,
 * its {@code --help} and {@code help ti:train} therefore cannot disagree.
 */
final class TrainOptions {

    /** Options of ti:train the command line does not offer: it always waits for the run. */
    static final String WAIT = "--wait";

    private final Method train;
    private final List<TrainOption> options;

    private TrainOptions(Method train, List<TrainOption> options) {
        this.train = train;
        this.options = List.copyOf(options);
    }

    static TrainOptions ofTrainCommand() {
        Method train = Arrays.stream(TrainCommands.class.getMethods())
                .filter(method -> method.getName().equals("train"))
                .max(Comparator.comparingInt(Method::getParameterCount))
                .orElseThrow(() -> new IllegalStateException("TrainCommands has no train method"));
        List<TrainOption> options = new ArrayList<>();
        Annotation[][] annotations = train.getParameterAnnotations();
        for (int i = 0; i < annotations.length; i++) {
            Parameter parameter = find(annotations[i], Parameter.class)
                    .orElseThrow(() -> new IllegalStateException("ti:train has a positional parameter; the command line"
                            + " only knows options"));
            String help = find(annotations[i], Descriptor.class).map(Descriptor::value).orElse("");
            String present = Parameter.UNSPECIFIED.equals(parameter.presentValue()) ? null : parameter.presentValue();
            options.add(new TrainOption(List.of(parameter.names()), help, parameter.absentValue(), present,
                    train.getParameterTypes()[i], i));
        }
        return new TrainOptions(train, options);
    }

    private static <A extends Annotation> Optional<A> find(Annotation[] annotations, Class<A> type) {
        return Arrays.stream(annotations).filter(type::isInstance).map(type::cast).findFirst();
    }

    Method train() {
        return train;
    }

    /** The options the command line offers (all of ti:train's but {@code --wait}). */
    List<TrainOption> all() {
        return options.stream().filter(option -> !option.names().contains(WAIT)).toList();
    }

    List<TrainOption> withWait() {
        return options;
    }

    Optional<TrainOption> exactly(String name) {
        return options.stream().filter(option -> option.names().contains(name)).findFirst();
    }
}
