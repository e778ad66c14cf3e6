package org.neologism.schedulers.shell;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.plot.LineChart;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.core.schedule.ScheduleSettings;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code ti:schedulers} and {@code ti:schedule}: list the registered schedules, show one as numbers and a plot. */
@Component(service = SchedulesCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=schedulers",
    "osgi.command.function=schedule"
})
public class SchedulesCommand {

    private static final int TABLE_ROWS = 20;
    private static final int PLOT_WIDTH = 64;
    private static final int PLOT_HEIGHT = 11;

    private final BundleContext context;

    @Reference(service = LearningRateSchedule.class, cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<Map.Entry<Map<String, Object>, LearningRateSchedule>> schedules;

    @Activate
    public SchedulesCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("List the registered learning-rate schedules with their parameters (name=default) and the bundle providing each")
    public void schedulers() {
        ScheduleListing.lines(catalog()).forEach(System.out::println);
    }

    @Descriptor("Print a learning-rate schedule's multiplier and learning rate over the steps of a run (0..steps-1) with an ASCII plot")
    public void schedule(
            @Descriptor("optimiser steps in the run (T), default 100") @Parameter(names = "--steps", absentValue = "100") long steps,
            @Descriptor("warmup steps (W), default 0") @Parameter(names = "--warmup", absentValue = "0") long warmup,
            @Descriptor("base learning rate the multiplier applies to, default 1e-4") @Parameter(names = "--lr", absentValue = "1e-4") double lr,
            @Descriptor("also write the curve to this PNG file") @Parameter(names = "--png", absentValue = "") String png,
            @Descriptor("print every step instead of about 20") @Parameter(names = "--all", presentValue = "true", absentValue = "false") boolean all,
            @Descriptor("schedule name, e.g. cosine_with_restarts (ti:schedulers lists them)") String name,
            @Descriptor("schedule parameters as name=value or --name value, e.g. num_cycles=3") String... parameters)
            throws IOException {
        RegisteredSchedule schedule = catalog().require(name);
        ScheduleSettings settings = new ScheduleSettings(warmup, steps, lr, ParameterArguments.parse(List.of(parameters)));
        ScheduleCurve curve = ScheduleCurve.evaluate(schedule.schedule(), settings);
        PrintStream out = System.out;
        out.println(curve.title() + "  (from " + schedule.provider() + ")");
        CurveTable.lines(curve, all ? Integer.MAX_VALUE : TABLE_ROWS).forEach(out::println);
        out.println();
        AsciiPlot.lines(curve, PLOT_WIDTH, PLOT_HEIGHT).forEach(out::println);
        if (!png.isEmpty()) {
            Path file = Path.of(png);
            new LineChart(curve.title(), "learning rate", curve.learningRates()).write(file);
            out.println("Wrote " + file.toAbsolutePath());
        }
    }

    private ScheduleCatalog catalog() {
        return ScheduleCatalog.of(List.copyOf(schedules), this::describeBundle);
    }

    private String describeBundle(long id) {
        Bundle bundle = context.getBundle(id);
        return bundle == null ? "bundle " + id + " (gone)"
                : bundle.getSymbolicName() + " " + bundle.getVersion() + " (bundle " + id + ")";
    }
}
