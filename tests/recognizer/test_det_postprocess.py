import numpy as np

from sohoa.models.ocr.ppocr_det import DetBox, boxes_from_prob, merge_fragments, reading_order, split_tall


def page_map():
    prob = np.zeros((200, 400), np.float32)
    prob[20:30, 20:180] = 0.9     # line 1, left column
    prob[20:30, 260:380] = 0.9    # line 1, right column (far: stays apart)
    prob[60:70, 20:120] = 0.9     # line 2, two fragments with a small gap
    prob[60:70, 126:300] = 0.8
    prob[100:110, 20:300] = 0.35  # faint: below the box threshold
    prob[140:150, 20:300] = 0.9   # two lines touching (tight leading)
    prob[150:151, 20:300] = 0.32
    prob[151:161, 20:300] = 0.9
    return prob


def test_boxes_unclip_and_score():
    boxes = boxes_from_prob(page_map(), thresh=0.3, box_thresh=0.5, unclip_ratio=1.5)
    assert len(boxes) == 5
    b = min(boxes, key=lambda b: (b.y0, b.x0))
    assert b.x0 < 20 and b.y0 < 20 and b.x1 > 180 and b.y1 > 30     # grown back around the kernel
    assert all(b.score >= 0.5 for b in boxes)


def test_split_merge_and_order():
    prob = page_map()
    prob[150:151, 20:300] = 0.0  # a valley between the two touching lines
    boxes = boxes_from_prob(prob, unclip_ratio=1.5)
    merged = boxes_from_prob(page_map(), unclip_ratio=1.5)
    tall = [b for b in merged if (b.y0 + b.y1) / 2 > 120]
    assert len(tall) == 1
    parts = split_tall(merged, page_map(), thresh=0.5)
    low = [b for b in parts if (b.y0 + b.y1) / 2 > 120]
    assert len(low) == 2 and low[0].y1 <= low[1].y0 + 2
    lines = reading_order(merge_fragments(parts))
    ys = [(b.y0 + b.y1) / 2 for b in lines]
    assert ys == sorted(ys) or all(abs(a - b) < 15 for a, b in zip(ys, ys[1:]) if b < a)
    row1 = [b for b in lines if b.y1 < 45]
    assert len(row1) == 2 and row1[0].x0 < row1[1].x0          # columns kept apart, left first
    row2 = [b for b in lines if 45 < b.y0 < 90]
    assert len(row2) == 1 and row2[0].x1 > 290                 # fragments of one line joined
    assert len(boxes) >= 5


def test_reading_order_rows_then_columns():
    bs = [DetBox(200, 10, 300, 30, .9), DetBox(10, 12, 150, 32, .9), DetBox(10, 50, 300, 70, .9)]
    out = reading_order(bs)
    assert [(b.x0, b.y0) for b in out] == [(10, 12), (200, 10), (10, 50)]


def test_content_box_keeps_thin_ink_and_drops_margins():
    """The detector sees only the inked part of the page: the margins go, a thin page number at
    the top and a dark scan's faint text stay, a blank page keeps its frame."""
    from sohoa.models.ocr.ppocr_det import content_box

    page = np.full((1000, 700), 245, np.uint8)
    page[300:320, 100:600] = 30          # a text line
    page[60:75, 340:350] = 90            # a page number, faint and small
    page[800, 50] = 0                    # dust: one pixel does not count
    x0, y0, x1, y1 = content_box(page)
    assert y0 <= 60 and y1 >= 320 and x0 <= 100 and x1 >= 600
    assert y1 < 800 and x0 > 50 and (x1 - x0) * (y1 - y0) < 0.6 * page.size
    dark = (page.astype(np.int16) - 110).clip(0, 255).astype(np.uint8)  # paper at 135, ink near 0
    assert content_box(dark) == (x0, y0, x1, y1)
    assert content_box(np.full((1000, 700), 250, np.uint8)) == (0, 0, 700, 1000)
