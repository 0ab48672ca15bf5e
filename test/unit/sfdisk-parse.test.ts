// The wipe zeroes the start of every partition a stick had before; these are the partitions sfdisk reports.
import { describe, expect, it } from 'vitest';
import { parseSfdiskJson } from '../../helpers/tools/sfdisk.ts';

// Captured from `sfdisk --json` on a 64 MiB image with two GPT partitions.
const gpt512 = `{
   "partitiontable": {
      "label": "gpt", "id": "39522E83-7755-4194-ADB2-060D71A66186", "device": "sf.img", "unit": "sectors",
      "firstlba": 34, "lastlba": 131038, "sectorsize": 512,
      "partitions": [
         {"node": "sf.img1", "start": 2048, "size": 16384, "type": "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
          "uuid": "FF81E8F0-C3F4-4770-9D74-755E38ADB42A", "name": "IIOS-ESP"},
         {"node": "sf.img2", "start": 18432, "size": 32768, "type": "0FC63DAF-8483-4772-8E79-3D69D8477DE4",
          "uuid": "4DA1662A-1EEB-4FD8-85E5-12BB34F75E4B"}
      ]
   }
}`;

describe('parseSfdiskJson', () => {
  it('turns sectors into bytes with the table sector size', () => {
    expect(parseSfdiskJson(gpt512)).toEqual([
      { startBytes: 1048576, sizeBytes: 8388608 },
      { startBytes: 9437184, sizeBytes: 16777216 },
    ]);
  });
  it('uses 4096-byte sectors when the table says so', () => {
    const t = gpt512.replace('"sectorsize": 512', '"sectorsize": 4096');
    expect(parseSfdiskJson(t)[0]).toEqual({ startBytes: 2048 * 4096, sizeBytes: 16384 * 4096 });
  });
  it('finds nothing in a table without partitions', () => {
    expect(parseSfdiskJson('{"partitiontable": {"label": "gpt", "sectorsize": 512}}')).toEqual([]);
  });
});
