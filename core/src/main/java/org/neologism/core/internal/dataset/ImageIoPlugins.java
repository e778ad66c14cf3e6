package org.neologism.core.internal.dataset;

import com.twelvemonkeys.imageio.plugins.jpeg.JPEGImageReaderSpi;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.util.List;
import javax.imageio.spi.IIORegistry;
import javax.imageio.spi.ImageReaderSpi;

/**
 * The TwelveMonkeys readers (WebP, and JPEGs the JDK cannot read: CMYK, YCCK, broken markers) put into
 * ImageIO's registry by hand. ImageIO discovers plugins through the class path's service files, which
 * it never sees inside a bundle; the JPEG provider must be registered (not just created) because it
 * finds the JDK reader it delegates to when it is registered.
 *
 * <p>The registry is one per JVM and keeps one provider per class, so registrations are counted: the
 * providers stay while any holder is open and leave with the last one, so a bundle refresh leaves no
 * provider of a stale class loader behind.
 */
final class ImageIoPlugins implements AutoCloseable {

    private static final Object LOCK = new Object();
    private static List<ImageReaderSpi> providers = List.of();
    private static int holders;

    private boolean open = true;

    ImageIoPlugins() {
        synchronized (LOCK) {
            if (holders++ == 0) {
                providers = List.of(new WebPImageReaderSpi(), new JPEGImageReaderSpi());
                IIORegistry registry = IIORegistry.getDefaultInstance();
                for (ImageReaderSpi provider : providers) {
                    registry.registerServiceProvider(provider, ImageReaderSpi.class);
                }
            }
        }
    }

    @Override
    public void close() {
        synchronized (LOCK) {
            if (!open) {
                return;
            }
            open = false;
            if (--holders == 0) {
                IIORegistry registry = IIORegistry.getDefaultInstance();
                for (ImageReaderSpi provider : providers) {
                    registry.deregisterServiceProvider(provider, ImageReaderSpi.class);
                }
                providers = List.of();
            }
        }
    }
}
