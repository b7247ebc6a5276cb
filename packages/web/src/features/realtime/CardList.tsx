import { Pagination, Spin } from 'antd';
import { Fragment, type Key, type ReactNode, useState } from 'react';

/**
 * The phone form of a table: one card per row, paged on the client. (antd's List is deprecated
 * and Listy is a virtual list that needs a fixed height.)
 */
export function CardList<T>({
  items,
  rowKey,
  render,
  empty,
  loading = false,
  pageSize = 20,
  gap = 8,
}: {
  items: T[];
  rowKey: (item: T) => Key;
  render: (item: T) => ReactNode;
  empty: ReactNode;
  loading?: boolean;
  pageSize?: number;
  gap?: number;
}) {
  const [page, setPage] = useState(1);
  if (loading && items.length === 0) return <Spin style={{ display: 'block', margin: '24px auto' }} />;
  if (items.length === 0) return <>{empty}</>;
  const last = Math.max(1, Math.ceil(items.length / pageSize));
  const current = Math.min(page, last);
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap }}>
      {items.slice((current - 1) * pageSize, current * pageSize).map((item) => (
        <Fragment key={rowKey(item)}>{render(item)}</Fragment>
      ))}
      {items.length > pageSize && (
        <Pagination
          size="small"
          align="center"
          current={current}
          pageSize={pageSize}
          total={items.length}
          onChange={setPage}
          showSizeChanger={false}
        />
      )}
    </div>
  );
}
