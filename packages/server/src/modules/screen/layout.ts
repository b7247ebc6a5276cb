import { SCREEN_GRID_COLS, SCREEN_GRID_ROWS, type ScreenLayout } from '@aegis/shared';

export interface LayoutProblem {
  path: string;
  message: string;
}

/**
 * What is wrong with a layout that the schema cannot see: tiles outside the grid, tiles that
 * overlap, duplicate widget ids, tag widgets without tags. Pure: the tags' scope is checked apart.
 */
export function layoutProblems(layout: ScreenLayout): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  layout.pages.forEach((page, p) => {
    const ids = new Set<string>();
    page.widgets.forEach((w, i) => {
      const path = `layout.pages.${p}.widgets.${i}`;
      const name = `第 ${p + 1} 页的 ${w.title || w.kind} (${w.id})`;
      if (ids.has(w.id))
        problems.push({ path: `${path}.id`, message: `${name}: the widget id is used twice on the page` });
      ids.add(w.id);
      if (w.x + w.w > SCREEN_GRID_COLS || w.y + w.h > SCREEN_GRID_ROWS)
        problems.push({
          path,
          message: `${name} lies outside the ${SCREEN_GRID_COLS}×${SCREEN_GRID_ROWS} grid (x ${w.x}, y ${w.y}, w ${w.w}, h ${w.h})`,
        });
      if (w.kind === 'tag_values' && !w.settings.tagIds?.length)
        problems.push({ path: `${path}.settings.tagIds`, message: `${name}: pick at least one tag` });
      for (let j = 0; j < i; j++) {
        const o = page.widgets[j]!;
        if (w.x < o.x + o.w && o.x < w.x + w.w && w.y < o.y + o.h && o.y < w.y + w.h)
          problems.push({ path, message: `${name} overlaps ${o.title || o.kind} (${o.id})` });
      }
    });
  });
  return problems;
}

/** Every tag a layout shows. */
export const layoutTagIds = (layout: ScreenLayout) => [
  ...new Set(layout.pages.flatMap((p) => p.widgets.flatMap((w) => w.settings.tagIds ?? []))),
];
