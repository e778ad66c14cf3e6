package org.neologism.frontends.models;

import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.neologism.core.root.InstalledModel;
import org.neologism.core.root.InstalledModels;
import org.neologism.core.root.RootFolder;
import org.neologism.core.settings.Settings;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code ti:models}: the base models --model accepts by name, from configs/models.yaml and the models folder. */
@Component(service = ModelsCommand.class, property = {
    "osgi.command.scope=ti",
    "osgi.command.function=models"
})
public class ModelsCommand {

    private final Settings settings;

    @Activate
    public ModelsCommand(@Reference Settings settings) {
        this.settings = settings;
    }

    @Descriptor("List the installed base models (<root>/configs/models.yaml, then the diffusers folders and the"
            + " .safetensors/.ckpt checkpoints under <root>/models) with their architecture and token width")
    public void models(
            @Descriptor("the root folder (default: NEOLOGISM_ROOT, an existing INVOKEAI_ROOT, else ~/neologism)")
            @Parameter(names = "--root", absentValue = "") String root) {
        RootFolder folder = settings.root(root);
        List<InstalledModel> models = InstalledModels.of(folder).all();
        if (models.isEmpty()) {
            System.out.println("No models in " + folder.modelsYaml() + " or under " + folder.models()
                    + ". Put a diffusers folder or a .safetensors/.ckpt checkpoint there, or create a small one with ti:model create "
                    + folder.models().resolve("tiny") + " --arch tiny-sd1");
            return;
        }
        System.out.println(String.format("%-28s %-10s %-22s %-9s %s", "NAME", "FORMAT", "ARCHITECTURE", "WIDTH", "PATH"));
        for (InstalledModel model : models) {
            String width = model.tokenWidths();
            System.out.println(String.format("%-28s %-10s %-22s %-9s %s", model.name(), model.format(), model.architecture(),
                    width, model.path() == null ? "(no path: " + model.listedIn().getFileName() + " names none)" : model.path()));
        }
    }
}
