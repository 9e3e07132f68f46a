/*
 * tdbwins — unit tests for the intrusive list helpers
 * (source/util/twlist.h).
 *
 * Nodes are talloc objects whose destructor unlinks them, the way the
 * NBNS probes, registrations and TCP 137 connections use the helpers.
 * After every step the whole list is checked both ways: the order seen
 * through next, and every prev pointing at the node before.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <talloc.h>

#include "util/twlist.h"

struct tnode {
	struct tnode *prev, *next;
	struct tnode **head;
	int v;
};

TWLIST_FUNCS(tnode_list, struct tnode, prev, next)

static int tnode_destructor(struct tnode *n)
{
	tnode_list_unlink(n->head, n);
	return 0;
}

struct tctx {
	TALLOC_CTX *mem;
	struct tnode *head;
};

static int setup(void **state)
{
	struct tctx *t = talloc_zero(NULL, struct tctx);

	assert_non_null(t);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct tctx *t = *state;

	/* nothing may be left on the per-test context */
	assert_int_equal(talloc_total_blocks(t->mem), 1);
	talloc_free(t);
	return 0;
}

static struct tnode *add(struct tctx *t, int v)
{
	struct tnode *n = talloc_zero(t->mem, struct tnode);

	assert_non_null(n);
	n->v = v;
	n->head = &t->head;
	tnode_list_link(&t->head, n);
	talloc_set_destructor(n, tnode_destructor);
	return n;
}

/* The list holds exactly want[0..num-1] in that order, both ways. */
static void expect_list(struct tctx *t, const int *want, size_t num)
{
	struct tnode *prev = NULL;
	struct tnode *n = NULL;
	size_t i = 0;

	for (n = t->head; n != NULL; n = n->next) {
		assert_true(i < num);
		assert_int_equal(n->v, want[i]);
		assert_ptr_equal(n->prev, prev);
		prev = n;
		i++;
	}
	assert_int_equal(i, num);
}

/* _link puts each new node at the head. */
static void test_link_order(void **state)
{
	struct tctx *t = *state;
	const int want[] = { 3, 2, 1 };

	expect_list(t, NULL, 0);
	add(t, 1);
	expect_list(t, want + 2, 1);
	add(t, 2);
	add(t, 3);
	expect_list(t, want, 3);
	TALLOC_FREE(t->mem);
	t->mem = talloc_new(t);
	assert_non_null(t->mem);
	assert_null(t->head);
}

/* Unlinking the head, a middle node, the tail and the last one. */
static void test_unlink_positions(void **state)
{
	struct tctx *t = *state;
	struct tnode *n1 = add(t, 1);
	struct tnode *n2 = add(t, 2);
	struct tnode *n3 = add(t, 3);
	struct tnode *n4 = add(t, 4);
	const int after_mid[] = { 4, 3, 1 };
	const int after_head[] = { 3, 1 };
	const int after_tail[] = { 3 };

	/* list: 4 3 2 1 */
	talloc_free(n2);
	expect_list(t, after_mid, 3);
	talloc_free(n4);
	expect_list(t, after_head, 2);
	talloc_free(n1);
	expect_list(t, after_tail, 1);
	assert_null(n3->prev);
	assert_null(n3->next);
	talloc_free(n3);
	assert_null(t->head);
}

/*
 * _unlink clears the node's links, and a second unlink (or one of a node
 * that was never linked) changes nothing: the challenge code unlinks a
 * whole probe array whatever happened to each probe before.
 */
static void test_unlink_idempotent(void **state)
{
	struct tctx *t = *state;
	struct tnode *a = add(t, 1);
	struct tnode *b = add(t, 2);
	struct tnode loose = { .v = 9 };
	const int both[] = { 2, 1 };
	const int only_a[] = { 1 };

	tnode_list_unlink(&t->head, &loose);
	expect_list(t, both, 2);
	tnode_list_unlink(&t->head, b);
	assert_null(b->prev);
	assert_null(b->next);
	expect_list(t, only_a, 1);
	tnode_list_unlink(&t->head, b);
	expect_list(t, only_a, 1);
	/* relinked after an unlink: at the head again */
	tnode_list_link(&t->head, b);
	expect_list(t, both, 2);
	talloc_free(a);
	talloc_free(b);
	assert_null(t->head);
}

/* Two lists of the same type do not disturb each other. */
static void test_two_heads(void **state)
{
	struct tctx *t = *state;
	struct tnode *other = NULL;
	struct tnode x = { .v = 7 };
	struct tnode *a = add(t, 1);
	const int only_a[] = { 1 };

	tnode_list_link(&other, &x);
	assert_ptr_equal(other, &x);
	expect_list(t, only_a, 1);
	tnode_list_unlink(&other, &x);
	assert_null(other);
	expect_list(t, only_a, 1);
	talloc_free(a);
}

static int g_head_calls;
static int g_node_calls;

static struct tnode **head_once(struct tctx *t)
{
	g_head_calls++;
	return &t->head;
}

static struct tnode *node_once(struct tnode *n)
{
	g_node_calls++;
	return n;
}

/* Each argument is evaluated once (Samba's DLIST_* macros do not). */
static void test_args_evaluated_once(void **state)
{
	struct tctx *t = *state;
	struct tnode a = { .v = 1 };
	struct tnode b = { .v = 2 };
	const int both[] = { 2, 1 };

	g_head_calls = 0;
	g_node_calls = 0;
	tnode_list_link(head_once(t), node_once(&a));
	tnode_list_link(head_once(t), node_once(&b));
	assert_int_equal(g_head_calls, 2);
	assert_int_equal(g_node_calls, 2);
	expect_list(t, both, 2);
	tnode_list_unlink(head_once(t), node_once(&b));
	tnode_list_unlink(head_once(t), node_once(&a));
	assert_int_equal(g_head_calls, 4);
	assert_int_equal(g_node_calls, 4);
	assert_null(t->head);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_link_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unlink_positions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unlink_idempotent, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_heads, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_args_evaluated_once,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
