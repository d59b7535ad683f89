//! Uploaded images, made safe to publish: recognised by their bytes (never their name), decoded
//! within memory limits, turned upright, resized to the widths pages ask for and encoded again.
//! Encoding again is what removes EXIF, GPS, XMP and comment blocks: only pixels (and the colour
//! profile, which says how to show them) survive.

use image::codecs::gif::{GifDecoder, GifEncoder, Repeat};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::imageops::FilterType;
use image::{
    AnimationDecoder, DynamicImage, ImageDecoder, ImageEncoder, ImageFormat, ImageReader, Limits,
};
use std::io::Cursor;

/// The widths made of every image (only those narrower than the original, plus the original's
/// own width when it is narrower than the last).
pub const VARIANT_WIDTHS: [u32; 3] = [480, 960, 1600];

/// The largest side accepted, in pixels.
pub const MAX_SIDE: u32 = 12_000;

/// The most pixels an image (or all frames of an animation together) may have.
pub const MAX_PIXELS: u64 = 40_000_000;

/// The most a decoder may allocate for one image.
const MAX_ALLOC: u64 = 256 * 1024 * 1024;

/// The JPEG quality of the variants: indistinguishable from the original at screen sizes.
const JPEG_QUALITY: u8 = 85;

/// Why an upload is not an image Gazette publishes. Each says so in words an editor understands.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    /// Not a JPEG, PNG, WebP or GIF by its content.
    #[error("{0}")]
    Refused(String),
    /// Larger than the limits.
    #[error("{0}")]
    TooLarge(String),
    /// The right kind of file, but broken.
    #[error("The image could not be read ({0}); it may be damaged. Try exporting it again.")]
    Damaged(String),
}

/// One stored size of an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// The encoded file.
    pub data: Vec<u8>,
}

/// An upload made ready: its original size and the variants, smallest first, all in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessedImage {
    /// The original's width, upright.
    pub width: u32,
    /// The original's height, upright.
    pub height: u32,
    /// What the upload was, by its content: `image/jpeg`, `image/png`, `image/webp`, `image/gif`.
    pub source_type: &'static str,
    /// The variants' type.
    pub mime_type: &'static str,
    /// The variants' file extension, without the dot.
    pub extension: &'static str,
    /// Smallest first; the last is the largest Gazette serves.
    pub variants: Vec<Variant>,
}

/// What the first bytes of a file say it is, for the refusal message.
fn describe(format: Option<ImageFormat>, bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]).to_lowercase();
    let start = head.trim_start_matches('\u{feff}').trim_start();
    if head.contains("<svg") {
        return "SVG images are not accepted: an SVG file can carry scripts. Export it as PNG and upload that."
            .into();
    }
    if start.starts_with('<') {
        return "This file is HTML or XML, not an image. Upload a JPEG, PNG, WebP or GIF file."
            .into();
    }
    match format {
        Some(format) => format!(
            "{} images are not accepted. Upload a JPEG, PNG, WebP or GIF file.",
            format.extensions_str().first().unwrap_or(&"these").to_uppercase()
        ),
        None => "This file is not an image Gazette can read (whatever its name says). Upload a JPEG, PNG, WebP or GIF file."
            .into(),
    }
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

fn too_large(width: u32, height: u32) -> ImageError {
    ImageError::TooLarge(format!(
        "The image is {width} × {height} pixels; the largest accepted is {MAX_SIDE} pixels a side and {} megapixels.",
        MAX_PIXELS / 1_000_000
    ))
}

fn damaged(error: image::ImageError) -> ImageError {
    match error {
        image::ImageError::Limits(_) => ImageError::TooLarge(format!(
            "The image is too large to process; the largest accepted is {MAX_SIDE} pixels a side and {} megapixels.",
            MAX_PIXELS / 1_000_000
        )),
        other => ImageError::Damaged(other.to_string()),
    }
}

/// Checks, decodes and resizes an upload. CPU-heavy: call it off the async threads, a bounded
/// number at a time.
pub fn process(bytes: &[u8]) -> Result<ProcessedImage, ImageError> {
    let format = image::guess_format(bytes).ok();
    let source_type = match format {
        Some(ImageFormat::Jpeg) => "image/jpeg",
        Some(ImageFormat::Png) => "image/png",
        Some(ImageFormat::WebP) => "image/webp",
        Some(ImageFormat::Gif) => "image/gif",
        other => return Err(ImageError::Refused(describe(other, bytes))),
    };
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format.unwrap_or(ImageFormat::Png));
    reader.limits(limits());
    let (width, height) = reader.into_dimensions().map_err(damaged)?;
    if width == 0 || height == 0 {
        return Err(ImageError::Damaged("it has no pixels".into()));
    }
    if u64::from(width) * u64::from(height) > MAX_PIXELS {
        return Err(too_large(width, height));
    }
    if format == Some(ImageFormat::Gif)
        && let Some(animated) = animated_gif(bytes, width, height)?
    {
        return Ok(animated);
    }
    if format == Some(ImageFormat::WebP) && webp_is_animated(bytes)? {
        return Err(ImageError::Refused(
            "Animated WebP images are not accepted. Upload the animation as a GIF, or a still image."
                .into(),
        ));
    }
    let mut reader = ImageReader::new(Cursor::new(bytes));
    reader.set_format(format.unwrap_or(ImageFormat::Png));
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(damaged)?;
    let orientation = decoder.orientation().map_err(damaged)?;
    let icc = decoder.icc_profile().ok().flatten();
    let mut picture = DynamicImage::from_decoder(decoder).map_err(damaged)?;
    picture.apply_orientation(orientation);
    let (width, height) = (picture.width(), picture.height());
    // Photographs stay JPEG; anything that may be transparent (or drawn) becomes PNG, which keeps
    // every pixel. The image crate writes only lossless WebP, too large for photographs.
    let as_jpeg = format == Some(ImageFormat::Jpeg)
        || (format == Some(ImageFormat::WebP) && !picture.color().has_alpha());
    let variants = widths(width)
        .into_iter()
        .map(|target| {
            let resized = if target == width {
                picture.clone()
            } else {
                let target_height = scaled_height(width, height, target);
                picture.resize_exact(target, target_height, FilterType::CatmullRom)
            };
            let data = if as_jpeg {
                encode_jpeg(&resized, icc.clone())?
            } else {
                encode_png(&resized, icc.clone())?
            };
            Ok(Variant {
                width: resized.width(),
                height: resized.height(),
                data,
            })
        })
        .collect::<Result<Vec<_>, ImageError>>()?;
    let (mime_type, extension) = if as_jpeg {
        ("image/jpeg", "jpg")
    } else {
        ("image/png", "png")
    };
    Ok(ProcessedImage {
        width,
        height,
        source_type,
        mime_type,
        extension,
        variants,
    })
}

/// The variant widths for an image `width` pixels wide.
pub fn widths(width: u32) -> Vec<u32> {
    let mut widths: Vec<u32> = VARIANT_WIDTHS
        .iter()
        .copied()
        .filter(|&w| w < width)
        .collect();
    let largest = width.min(VARIANT_WIDTHS[VARIANT_WIDTHS.len() - 1]);
    if widths.last() != Some(&largest) {
        widths.push(largest);
    }
    widths
}

fn scaled_height(width: u32, height: u32, target: u32) -> u32 {
    let scaled = (u64::from(height) * u64::from(target) + u64::from(width) / 2) / u64::from(width);
    u32::try_from(scaled.max(1)).unwrap_or(u32::MAX)
}

fn encode_jpeg(picture: &DynamicImage, icc: Option<Vec<u8>>) -> Result<Vec<u8>, ImageError> {
    let rgb = picture.to_rgb8();
    let mut out = Vec::new();
    let mut encoder = JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY);
    if let Some(icc) = icc {
        // A profile the encoder cannot carry is dropped; the pixels are still right for sRGB.
        let _ = encoder.set_icc_profile(icc);
    }
    encoder
        .write_image(
            rgb.as_raw(),
            rgb.width(),
            rgb.height(),
            image::ExtendedColorType::Rgb8,
        )
        .map_err(damaged)?;
    Ok(out)
}

fn encode_png(picture: &DynamicImage, icc: Option<Vec<u8>>) -> Result<Vec<u8>, ImageError> {
    let mut out = Vec::new();
    let mut encoder = PngEncoder::new(&mut out);
    if let Some(icc) = icc {
        let _ = encoder.set_icc_profile(icc);
    }
    let picture = match picture {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) | DynamicImage::ImageLuma8(_) => {
            picture.clone()
        }
        DynamicImage::ImageLumaA8(_) => picture.clone(),
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    };
    encoder
        .write_image(
            picture.as_bytes(),
            picture.width(),
            picture.height(),
            picture.color().into(),
        )
        .map_err(damaged)?;
    Ok(out)
}

fn webp_is_animated(bytes: &[u8]) -> Result<bool, ImageError> {
    let decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
    Ok(decoder.has_animation())
}

/// An animated GIF is kept as one animation at its own size (resizing every frame is not worth
/// its CPU), encoded again frame by frame; a GIF of one frame is a still image (`None`).
fn animated_gif(
    bytes: &[u8],
    width: u32,
    height: u32,
) -> Result<Option<ProcessedImage>, ImageError> {
    let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(damaged)?;
    decoder.set_limits(limits()).map_err(damaged)?;
    let frame_pixels = u64::from(width) * u64::from(height);
    let mut frames = Vec::new();
    for frame in decoder.into_frames() {
        let frame = frame.map_err(damaged)?;
        frames.push(frame);
        if frame_pixels * frames.len() as u64 > MAX_PIXELS {
            return Err(ImageError::TooLarge(format!(
                "The animation has too many frames for its size: at most {} megapixels in all frames together.",
                MAX_PIXELS / 1_000_000
            )));
        }
    }
    if frames.len() < 2 {
        return Ok(None);
    }
    let mut out = Vec::new();
    {
        let mut encoder = GifEncoder::new_with_speed(&mut out, 10);
        encoder.set_repeat(Repeat::Infinite).map_err(damaged)?;
        encoder.encode_frames(frames).map_err(damaged)?;
    }
    Ok(Some(ProcessedImage {
        width,
        height,
        source_type: "image/gif",
        mime_type: "image/gif",
        extension: "gif",
        variants: vec![Variant {
            width,
            height,
            data: out,
        }],
    }))
}

/// Images for tests, here and in the web crate's.
#[doc(hidden)]
pub mod fixtures {
    use super::*;
    use image::{Rgb, RgbImage};

    /// A plain JPEG of a gradient.
    pub fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let picture = RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x % 256) as u8, (y % 256) as u8, 90])
        });
        let mut out = Vec::new();
        // Encoding a fresh buffer into memory cannot fail.
        let _ = JpegEncoder::new_with_quality(&mut out, 90).write_image(
            picture.as_raw(),
            width,
            height,
            image::ExtendedColorType::Rgb8,
        );
        out
    }

    /// The marker `jpeg_with_gps` hides in its EXIF block.
    pub const GPS_MARKER: &[u8] = b"GPS-SECRET-48.8584N-2.2945E";

    /// A JPEG with an EXIF block holding GPS coordinates, as a phone writes one (APP1 right
    /// after the start marker), and an `orientation` (1: upright, 6: turned a quarter).
    pub fn jpeg_with_gps(width: u32, height: u32, orientation: u16) -> Vec<u8> {
        let plain = jpeg(width, height);
        // TIFF header, little-endian; IFD0 with Orientation and a GPS IFD pointer; the GPS IFD
        // with latitude ref 'N'; then the marker.
        let mut tiff: Vec<u8> = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes());
        tiff.extend(2u16.to_le_bytes());
        tiff.extend(0x0112u16.to_le_bytes());
        tiff.extend(3u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(u32::from(orientation).to_le_bytes());
        tiff.extend(0x8825u16.to_le_bytes());
        tiff.extend(4u16.to_le_bytes());
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(38u32.to_le_bytes());
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(1u16.to_le_bytes());
        tiff.extend(0x0001u16.to_le_bytes());
        tiff.extend(2u16.to_le_bytes());
        tiff.extend(2u32.to_le_bytes());
        tiff.extend(*b"N\0\0\0");
        tiff.extend(0u32.to_le_bytes());
        tiff.extend(GPS_MARKER);
        let mut app1 = b"Exif\0\0".to_vec();
        app1.extend(tiff);
        let mut out = plain[..2].to_vec();
        out.extend([0xFF, 0xE1]);
        out.extend(
            u16::try_from(app1.len() + 2)
                .unwrap_or(u16::MAX)
                .to_be_bytes(),
        );
        out.extend(app1);
        out.extend(&plain[2..]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::jpeg_with_gps;
    use super::*;
    use image::{Rgba, RgbaImage};

    #[test]
    fn a_photo_gets_every_width_below_its_own_and_loses_its_exif() {
        let upload = jpeg_with_gps(2000, 1000, 1);
        assert!(
            upload
                .windows(10)
                .any(|w| w == &super::fixtures::GPS_MARKER[..10]),
            "the fixture carries its marker"
        );
        let image = process(&upload).expect("processed");
        assert_eq!((image.width, image.height), (2000, 1000));
        assert_eq!((image.mime_type, image.extension), ("image/jpeg", "jpg"));
        let sizes: Vec<(u32, u32)> = image.variants.iter().map(|v| (v.width, v.height)).collect();
        assert_eq!(sizes, vec![(480, 240), (960, 480), (1600, 800)]);
        for variant in &image.variants {
            assert!(
                !variant
                    .data
                    .windows(10)
                    .any(|w| w == &super::fixtures::GPS_MARKER[..10])
            );
            assert!(!variant.data.windows(4).any(|w| w == b"Exif"));
            let decoded = image::load_from_memory(&variant.data).expect("a real JPEG");
            assert_eq!(
                (decoded.width(), decoded.height()),
                (variant.width, variant.height)
            );
        }
    }

    #[test]
    fn the_exif_orientation_is_applied_before_it_is_removed() {
        // Orientation 6: the camera was turned; the stored 300 × 200 picture is shown 200 × 300.
        let image = process(&jpeg_with_gps(300, 200, 6)).expect("processed");
        assert_eq!((image.width, image.height), (200, 300));
        assert_eq!(image.variants.len(), 1);
        assert_eq!(
            (image.variants[0].width, image.variants[0].height),
            (200, 300)
        );
    }

    #[test]
    fn a_small_png_keeps_its_size_and_its_transparency() {
        let picture = RgbaImage::from_fn(64, 32, |x, _| Rgba([200, 10, 10, (x * 4) as u8]));
        let mut png = Vec::new();
        PngEncoder::new(&mut png)
            .write_image(picture.as_raw(), 64, 32, image::ExtendedColorType::Rgba8)
            .expect("encode");
        let image = process(&png).expect("processed");
        assert_eq!(image.mime_type, "image/png");
        assert_eq!(image.variants.len(), 1);
        let decoded = image::load_from_memory(&image.variants[0].data).expect("png");
        assert!(decoded.color().has_alpha());
        assert_eq!(decoded.to_rgba8().get_pixel(0, 0)[3], 0);
    }

    #[test]
    fn non_images_and_svg_are_refused_whatever_their_name() {
        let svg = br#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        let Err(ImageError::Refused(message)) = process(svg) else {
            panic!("svg accepted")
        };
        assert!(message.contains("SVG images are not accepted"), "{message}");
        let Err(ImageError::Refused(message)) = process(b"%PDF-1.7 not a photo") else {
            panic!("pdf accepted")
        };
        assert!(message.contains("not an image"), "{message}");
        let Err(ImageError::Refused(message)) = process(b"<html><body>hi</body></html>") else {
            panic!("html accepted")
        };
        assert!(message.contains("HTML or XML"), "{message}");
        let bmp = b"BM\x36\0\0\0\0\0\0\0\x36\0\0\0\x28\0\0\0";
        let Err(ImageError::Refused(message)) = process(bmp) else {
            panic!("bmp accepted")
        };
        assert!(message.contains("BMP images are not accepted"), "{message}");
    }

    #[test]
    fn a_truncated_image_is_damaged_and_a_huge_one_too_large() {
        let mut whole = Vec::new();
        PngEncoder::new(&mut whole)
            .write_image(
                &[7u8; 200 * 200 * 3],
                200,
                200,
                image::ExtendedColorType::Rgb8,
            )
            .expect("encode");
        assert!(matches!(
            process(&whole[..whole.len() / 2]),
            Err(ImageError::Damaged(_))
        ));
        // A PNG header announcing 20,000 × 20,000 pixels: refused before anything is allocated.
        let mut bomb = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
        bomb.extend(20_000u32.to_be_bytes());
        bomb.extend(20_000u32.to_be_bytes());
        bomb.extend([8, 2, 0, 0, 0]);
        bomb.extend(crc(&bomb[12..]).to_be_bytes());
        let Err(ImageError::TooLarge(message)) = process(&bomb) else {
            panic!("bomb accepted: {:?}", process(&bomb))
        };
        assert!(message.contains("12000 pixels a side"), "{message}");
    }

    fn crc(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn an_animated_gif_stays_animated() {
        use image::{Delay, Frame};
        let frames: Vec<Frame> = (0..3u8)
            .map(|i| {
                Frame::from_parts(
                    RgbaImage::from_pixel(40, 20, Rgba([i * 80, 0, 0, 255])),
                    0,
                    0,
                    Delay::from_numer_denom_ms(100, 1),
                )
            })
            .collect();
        let mut gif = Vec::new();
        GifEncoder::new(&mut gif)
            .encode_frames(frames)
            .expect("encode");
        let image = process(&gif).expect("processed");
        assert_eq!(image.mime_type, "image/gif");
        assert_eq!(image.variants.len(), 1);
        let frames = GifDecoder::new(Cursor::new(&image.variants[0].data))
            .expect("gif")
            .into_frames()
            .count();
        assert_eq!(frames, 3);
    }

    #[test]
    fn widths_never_upscale() {
        assert_eq!(widths(300), vec![300]);
        assert_eq!(widths(480), vec![480]);
        assert_eq!(widths(1200), vec![480, 960, 1200]);
        assert_eq!(widths(1600), vec![480, 960, 1600]);
        assert_eq!(widths(4000), vec![480, 960, 1600]);
    }
}
