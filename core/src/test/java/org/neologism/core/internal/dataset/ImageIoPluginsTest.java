package org.neologism.core.internal.dataset;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;

/**
 * Inside a bundle ImageIO finds no plugin by itself. On the test class path it does (service files),
 * so those providers are removed first: only the explicit registration is under test.
 */
class ImageIoPluginsTest {

    @Test
    void webpBecomesReadableWhileRegisteredAndNotAfterwards() throws IOException {
        removeTwelveMonkeysProviders();
        assertFalse(canRead(TestImages.losslessWebp()), "WebP readable before registration");
        try (ImageIoPlugins plugins = new ImageIoPlugins()) {
            assertTrue(canRead(TestImages.losslessWebp()), "WebP not readable while registered");
        }
        assertFalse(canRead(TestImages.losslessWebp()), "WebP still readable after close");
    }

    @Test
    void theProvidersStayUntilTheLastHolderCloses() throws IOException {
        removeTwelveMonkeysProviders();
        ImageIoPlugins first = new ImageIoPlugins();
        ImageIoPlugins second = new ImageIoPlugins();
        first.close();
        first.close();
        assertTrue(canRead(TestImages.losslessWebp()), "WebP gone while a holder is open");
        second.close();
        assertFalse(canRead(TestImages.losslessWebp()), "WebP still readable after the last close");
    }

    private static boolean canRead(byte[] file) throws IOException {
        try (ImageInputStream input = ImageIO.createImageInputStream(new ByteArrayInputStream(file))) {
            return ImageIO.getImageReaders(input).hasNext();
        }
    }

    private static void removeTwelveMonkeysProviders() {
        IIORegistry registry = IIORegistry.getDefaultInstance();
        List<ImageReaderSpi> found = new ArrayList<>();
        registry.getServiceProviders(ImageReaderSpi.class, false).forEachRemaining(found::add);
        for (ImageReaderSpi provider : found) {
            if (provider.getClass().getName().startsWith("com.twelvemonkeys.")) {
                registry.deregisterServiceProvider(provider, ImageReaderSpi.class);
            }
        }
        assertFalse(registry.getServiceProviderByClass(WebPImageReaderSpi.class) != null);
    }
}
