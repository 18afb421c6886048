"""The green, low-carbon technology directory (绿色低碳技术目录 / 节能技术推荐目录): the entries of
the published catalogues as reference rows (`directory_technologies`), searched in Chinese and
English, and linked to what the platform finds (a diagnosis's equipment and measures, a unit
below the benchmark level) through each entry's `links`."""
