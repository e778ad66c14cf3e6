package org.neologism.trainer.shell;

import java.io.PrintStream;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.neologism.core.embedding.EmbeddingCodec;
import org.neologism.core.schedule.LearningRateSchedule;
import org.neologism.trainer.engine.TorchEngine;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** {@code ti:info}: what this installation is made of and what it has registered. */
@Component(service = InfoCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=info"
})
public class InfoCommand {

    private final BundleContext context;
    private final TorchEngine torch;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<LearningRateSchedule> schedules;

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    private volatile List<EmbeddingCodec> codecs;

    @Activate
    public InfoCommand(BundleContext context, @Reference TorchEngine torch) {
        this.context = context;
        this.torch = torch;
    }

    @Descriptor("Show the versions of Neologism, Felix, DJL and libtorch, the compute devices, and the registered learning-rate schedules and embedding codecs")
    public void info() {
        PrintStream out = System.out;
        out.println("Neologism   " + context.getBundle().getVersion());
        out.println("Felix       " + context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).getVersion());
        out.println("DJL         " + torch.djlVersion());
        out.println("libtorch    " + torch.libtorchVersion());
        out.println("Devices     " + torch.devices().stream().map(Object::toString).collect(Collectors.joining(", "))
                + " (default " + torch.defaultDevice() + ")");
        out.println("Schedules   " + names(schedules.stream().map(LearningRateSchedule::name).sorted().toList()));
        out.println("Codecs      " + names(codecs.stream().map(EmbeddingCodec::format).sorted().toList()));
    }

    private static String names(List<String> names) {
        return names.isEmpty() ? "(none registered)" : String.join(", ", names);
    }
}
