import { describe, expect, it } from 'vitest';
import { dispositionFilename } from './download';
import { moveItem } from './reorder';

describe('downloads and ordering', () => {
  it("takes the file name from the server's Content-Disposition, the UTF-8 one first", () => {
    expect(dispositionFilename('attachment; filename="tasks.xlsx"')).toBe('tasks.xlsx');
    expect(
      dispositionFilename(
        `attachment; filename="labels.pdf"; filename*=UTF-8''${encodeURIComponent('巡检点标签.pdf')}`,
      ),
    ).toBe('巡检点标签.pdf');
    expect(dispositionFilename(null)).toBeNull();
    expect(dispositionFilename('inline')).toBeNull();
  });

  it('moves a checkpoint up, down or by drag, and ignores moves out of the list', () => {
    expect(moveItem(['a', 'b', 'c'], 2, 0)).toEqual(['c', 'a', 'b']);
    expect(moveItem(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveItem(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moveItem(['a', 'b', 'c'], 2, 3)).toEqual(['a', 'b', 'c']);
  });
});
